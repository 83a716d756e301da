package dev.tributary.client.producer;

import dev.tributary.client.ClientConfig;
import java.util.Map;
import java.util.Set;

/**
 * Producer settings, named as in Kafka where the meaning is the same.
 *
 * <table>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>acks</td><td>durable</td><td>{@code durable} (also {@code all}, {@code -1}): acknowledged
 *     once committed and fsynced; {@code none} (also {@code 0}): answered before the commit, no
 *     offsets, at-most-once</td></tr>
 * <tr><td>linger.ms</td><td>5</td><td>how long a partition's batch waits for more records before it is sent</td></tr>
 * <tr><td>batch.size</td><td>65536</td><td>bytes of records per partition batch; a batch is sent when full</td></tr>
 * <tr><td>max.request.size</td><td>1048576</td><td>largest produce request, and so largest record</td></tr>
 * <tr><td>compression.type</td><td>none</td><td>{@code none}, {@code lz4} or {@code zstd}, per batch</td></tr>
 * <tr><td>buffer.memory</td><td>33554432</td><td>bytes of records waiting to be sent; send blocks when full</td></tr>
 * <tr><td>max.block.ms</td><td>60000</td><td>longest send blocks on a full buffer or missing metadata</td></tr>
 * <tr><td>delivery.timeout.ms</td><td>120000</td><td>time from send to success or final failure, retries included</td></tr>
 * <tr><td>request.timeout.ms</td><td>30000</td><td>deadline of one produce call</td></tr>
 * <tr><td>retry.backoff.ms</td><td>100</td><td>first wait before a retry; doubles, with jitter</td></tr>
 * <tr><td>retry.backoff.max.ms</td><td>1000</td><td>cap of that wait</td></tr>
 * <tr><td>max.in.flight.requests.per.partition</td><td>5</td><td>produce calls in flight per partition
 *     (each may carry several batches). The producer starts a partition's calls in send order on
 *     one connection and the server appends them in that order, so without retries records keep
 *     send order with any value. A retry can reorder: a call that fails and is resent lands after
 *     the later calls of the partition that succeeded meanwhile. 1 keeps send order also across
 *     retries (a failed batch is resent before any later one is sent)</td></tr>
 * <tr><td>metadata.max.age.ms</td><td>300000</td><td>how long topic metadata is cached</td></tr>
 * <tr><td>client.id</td><td>""</td><td>a name for logs</td></tr>
 * </table>
 */
public final class ProducerConfig extends ClientConfig {
    public static final String ACKS = "acks";
    public static final String LINGER_MS = "linger.ms";
    public static final String BATCH_SIZE = "batch.size";
    public static final String MAX_REQUEST_SIZE = "max.request.size";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String BUFFER_MEMORY = "buffer.memory";
    public static final String MAX_BLOCK_MS = "max.block.ms";
    public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String MAX_IN_FLIGHT_PER_PARTITION = "max.in.flight.requests.per.partition";
    public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";
    public static final String CLIENT_ID = "client.id";

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(ACKS, "durable"),
            Map.entry(LINGER_MS, "5"),
            Map.entry(BATCH_SIZE, "65536"),
            Map.entry(MAX_REQUEST_SIZE, "1048576"),
            Map.entry(COMPRESSION_TYPE, "none"),
            Map.entry(BUFFER_MEMORY, "33554432"),
            Map.entry(MAX_BLOCK_MS, "60000"),
            Map.entry(DELIVERY_TIMEOUT_MS, "120000"),
            Map.entry(REQUEST_TIMEOUT_MS, "30000"),
            Map.entry(RETRY_BACKOFF_MS, "100"),
            Map.entry(RETRY_BACKOFF_MAX_MS, "1000"),
            // Kafka's 5: the server appends a partition's calls from one connection in the order they
            // arrived, so only a retry can reorder (no idempotent sequencing yet; 1 avoids that too).
            Map.entry(MAX_IN_FLIGHT_PER_PARTITION, "5"),
            Map.entry(METADATA_MAX_AGE_MS, "300000"),
            Map.entry(CLIENT_ID, ""));

    /** Acknowledgement levels. */
    public enum Acks { NONE, DURABLE }

    private ProducerConfig(Map<String, String> values) {
        super(values, DEFAULTS);
        // Validate everything now, not at first use.
        acks();
        lingerMs();
        batchSize();
        maxRequestSize();
        compressionType();
        bufferMemory();
        maxBlockMs();
        deliveryTimeoutMs();
        requestTimeoutMs();
        retryBackoffMs();
        retryBackoffMaxMs();
        maxInFlightPerPartition();
        metadataMaxAgeMs();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static ProducerConfig defaults() {
        return builder().build();
    }

    public Acks acks() {
        return switch (getChoice(ACKS, Set.of("durable", "all", "-1", "none", "0"))) {
            case "none", "0" -> Acks.NONE;
            default -> Acks.DURABLE;
        };
    }

    public long lingerMs() {
        return getLong(LINGER_MS, 0, 60_000);
    }

    public int batchSize() {
        return getInt(BATCH_SIZE, 1, 8 * 1024 * 1024);
    }

    public int maxRequestSize() {
        return getInt(MAX_REQUEST_SIZE, 1024, 64 * 1024 * 1024);
    }

    /** {@code none}, {@code lz4} or {@code zstd}. */
    public String compressionType() {
        return getChoice(COMPRESSION_TYPE, Set.of("none", "lz4", "zstd"));
    }

    public long bufferMemory() {
        return getLong(BUFFER_MEMORY, 1024, Long.MAX_VALUE);
    }

    public long maxBlockMs() {
        return getLong(MAX_BLOCK_MS, 0, Long.MAX_VALUE);
    }

    public long deliveryTimeoutMs() {
        return getLong(DELIVERY_TIMEOUT_MS, 1, Long.MAX_VALUE);
    }

    public long requestTimeoutMs() {
        return getLong(REQUEST_TIMEOUT_MS, 1, Long.MAX_VALUE);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS, 0, Long.MAX_VALUE);
    }

    public long retryBackoffMaxMs() {
        return getLong(RETRY_BACKOFF_MAX_MS, 0, Long.MAX_VALUE);
    }

    public int maxInFlightPerPartition() {
        return getInt(MAX_IN_FLIGHT_PER_PARTITION, 1, 1000);
    }

    public long metadataMaxAgeMs() {
        return getLong(METADATA_MAX_AGE_MS, 0, Long.MAX_VALUE);
    }

    public String clientId() {
        return getString(CLIENT_ID);
    }

    public static final class Builder extends ClientConfig.Builder<Builder> {
        private Builder() {}

        public Builder acks(Acks acks) {
            return set(ACKS, acks.name().toLowerCase(java.util.Locale.ROOT));
        }

        public Builder lingerMs(long ms) {
            return set(LINGER_MS, ms);
        }

        public Builder batchSize(int bytes) {
            return set(BATCH_SIZE, bytes);
        }

        public Builder compressionType(String type) {
            return set(COMPRESSION_TYPE, type);
        }

        public Builder deliveryTimeoutMs(long ms) {
            return set(DELIVERY_TIMEOUT_MS, ms);
        }

        public Builder clientId(String id) {
            return set(CLIENT_ID, id);
        }

        /** Fails with INVALID_CONFIG on an unknown key or a bad value. */
        public ProducerConfig build() {
            return new ProducerConfig(values);
        }
    }
}
