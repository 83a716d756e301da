package dev.tributary.client.consumer;

import dev.tributary.client.ClientConfig;
import java.util.Map;
import java.util.Set;

/**
 * Consumer settings, named as in Kafka where the meaning is the same.
 *
 * <table>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>group.id</td><td>""</td><td>the consumer group; needed by subscribe and commits</td></tr>
 * <tr><td>auto.offset.reset</td><td>latest</td><td>where to start without a committed offset, or
 *     when the position fell out of the retained range: {@code earliest}, {@code latest} or {@code
 *     none} (fail with OFFSET_OUT_OF_RANGE / NO_COMMITTED_OFFSET)</td></tr>
 * <tr><td>enable.auto.commit</td><td>true</td><td>commit positions in the background of poll</td></tr>
 * <tr><td>auto.commit.interval.ms</td><td>5000</td><td>how often</td></tr>
 * <tr><td>session.timeout.ms</td><td>45000</td><td>the group drops a member silent this long</td></tr>
 * <tr><td>max.poll.records</td><td>500</td><td>most records one poll returns</td></tr>
 * <tr><td>max.poll.interval.ms</td><td>300000</td><td>a member that does not call poll for this long leaves the
 *     group (its partitions go to other members; the next poll joins again and reports them lost)</td></tr>
 * <tr><td>fetch.min.bytes</td><td>1</td><td>the server waits for this many bytes (up to fetch.max.wait.ms)</td></tr>
 * <tr><td>fetch.max.wait.ms</td><td>500</td><td>longest wait of one fetch on the server</td></tr>
 * <tr><td>fetch.max.bytes</td><td>52428800</td><td>bytes per fetch response</td></tr>
 * <tr><td>max.partition.fetch.bytes</td><td>1048576</td><td>bytes per partition per fetch</td></tr>
 * <tr><td>request.timeout.ms</td><td>30000</td><td>deadline of one call (beyond the fetch wait)</td></tr>
 * <tr><td>retry.backoff.ms</td><td>100</td><td>wait before retrying a retriable failure</td></tr>
 * <tr><td>client.id</td><td>""</td><td>a name for logs</td></tr>
 * </table>
 */
public final class ConsumerConfig extends ClientConfig {
    public static final String GROUP_ID = "group.id";
    public static final String AUTO_OFFSET_RESET = "auto.offset.reset";
    public static final String ENABLE_AUTO_COMMIT = "enable.auto.commit";
    public static final String AUTO_COMMIT_INTERVAL_MS = "auto.commit.interval.ms";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String MAX_POLL_RECORDS = "max.poll.records";
    public static final String MAX_POLL_INTERVAL_MS = "max.poll.interval.ms";
    public static final String FETCH_MIN_BYTES = "fetch.min.bytes";
    public static final String FETCH_MAX_WAIT_MS = "fetch.max.wait.ms";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String MAX_PARTITION_FETCH_BYTES = "max.partition.fetch.bytes";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String CLIENT_ID = "client.id";

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(GROUP_ID, ""),
            Map.entry(AUTO_OFFSET_RESET, "latest"),
            Map.entry(ENABLE_AUTO_COMMIT, "true"),
            Map.entry(AUTO_COMMIT_INTERVAL_MS, "5000"),
            Map.entry(SESSION_TIMEOUT_MS, "45000"),
            Map.entry(MAX_POLL_RECORDS, "500"),
            Map.entry(MAX_POLL_INTERVAL_MS, "300000"),
            Map.entry(FETCH_MIN_BYTES, "1"),
            Map.entry(FETCH_MAX_WAIT_MS, "500"),
            Map.entry(FETCH_MAX_BYTES, "52428800"),
            Map.entry(MAX_PARTITION_FETCH_BYTES, "1048576"),
            Map.entry(REQUEST_TIMEOUT_MS, "30000"),
            Map.entry(RETRY_BACKOFF_MS, "100"),
            Map.entry(CLIENT_ID, ""));

    /** Where to start reading a partition without a usable position. */
    public enum OffsetReset { EARLIEST, LATEST, NONE }

    private ConsumerConfig(Map<String, String> values) {
        super(values, DEFAULTS);
        autoOffsetReset();
        enableAutoCommit();
        autoCommitIntervalMs();
        sessionTimeoutMs();
        maxPollRecords();
        maxPollIntervalMs();
        fetchMinBytes();
        fetchMaxWaitMs();
        fetchMaxBytes();
        maxPartitionFetchBytes();
        requestTimeoutMs();
        retryBackoffMs();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The group id, or null when none is set. */
    public String groupId() {
        String g = getString(GROUP_ID);
        return g.isEmpty() ? null : g;
    }

    public OffsetReset autoOffsetReset() {
        return OffsetReset.valueOf(getChoice(AUTO_OFFSET_RESET, Set.of("earliest", "latest", "none")).toUpperCase(java.util.Locale.ROOT));
    }

    public boolean enableAutoCommit() {
        return getBoolean(ENABLE_AUTO_COMMIT);
    }

    public long autoCommitIntervalMs() {
        return getLong(AUTO_COMMIT_INTERVAL_MS, 1, Long.MAX_VALUE);
    }

    public int sessionTimeoutMs() {
        return getInt(SESSION_TIMEOUT_MS, 1, Integer.MAX_VALUE);
    }

    public int maxPollRecords() {
        return getInt(MAX_POLL_RECORDS, 1, Integer.MAX_VALUE);
    }

    public long maxPollIntervalMs() {
        return getLong(MAX_POLL_INTERVAL_MS, 1, Long.MAX_VALUE);
    }

    public int fetchMinBytes() {
        return getInt(FETCH_MIN_BYTES, 0, Integer.MAX_VALUE);
    }

    public int fetchMaxWaitMs() {
        return getInt(FETCH_MAX_WAIT_MS, 0, Integer.MAX_VALUE);
    }

    public int fetchMaxBytes() {
        return getInt(FETCH_MAX_BYTES, 1, Integer.MAX_VALUE);
    }

    public int maxPartitionFetchBytes() {
        return getInt(MAX_PARTITION_FETCH_BYTES, 1, Integer.MAX_VALUE);
    }

    public long requestTimeoutMs() {
        return getLong(REQUEST_TIMEOUT_MS, 1, Long.MAX_VALUE);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS, 0, Long.MAX_VALUE);
    }

    public String clientId() {
        return getString(CLIENT_ID);
    }

    public static final class Builder extends ClientConfig.Builder<Builder> {
        private Builder() {}

        public Builder groupId(String groupId) {
            return set(GROUP_ID, groupId);
        }

        public Builder autoOffsetReset(OffsetReset reset) {
            return set(AUTO_OFFSET_RESET, reset.name().toLowerCase(java.util.Locale.ROOT));
        }

        public Builder enableAutoCommit(boolean enabled) {
            return set(ENABLE_AUTO_COMMIT, enabled);
        }

        public Builder clientId(String id) {
            return set(CLIENT_ID, id);
        }

        /** Fails with INVALID_CONFIG on an unknown key or a bad value. */
        public ConsumerConfig build() {
            return new ConsumerConfig(values);
        }
    }
}
