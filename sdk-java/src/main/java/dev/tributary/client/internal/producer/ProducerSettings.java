package dev.tributary.client.internal.producer;

import dev.tributary.client.TributaryException;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.record.CompressionCodec;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProducerConfig} turned into what the producer works with: durations in nanoseconds,
 * the codec, the largest batch it builds. Checks the rules that involve several settings (each
 * setting alone was checked by ProducerConfig).
 *
 * @param batchLimit largest batch built, uncompressed bytes: batch.size, but never more than one
 *     request (max.request.size) or one server append may take
 */
record ProducerSettings(ProducerConfig.Acks acks, long lingerNanos, int batchSize, int maxRequestSize, CompressionCodec compression,
        long bufferMemory, long maxBlockNanos, long deliveryTimeoutNanos, long requestTimeoutNanos, long retryBackoffNanos,
        long retryBackoffMaxNanos, int maxInFlightPerPartition, long metadataMaxAgeNanos, String clientId, int batchLimit) {
    /**
     * The most bytes of batches the server appends for one partition of one produce request
     * (PartitionLog.MAX_APPEND_ALL_BYTES on the server: INVALID_REQUEST above it).
     */
    static final int MAX_PARTITION_BYTES_PER_REQUEST = 8 * 1024 * 1024 + 512 * 1024;
    /**
     * The most bytes of records, before compression, the server takes in one produce request
     * (ProduceGrpcService.MAX_UNCOMPRESSED_REQUEST_BYTES: INVALID_REQUEST above it). Requests are
     * cut so that their batches' uncompressed sizes stay within it.
     */
    static final int MAX_UNCOMPRESSED_BYTES_PER_REQUEST = 64 * 1024 * 1024;
    /**
     * Longest duration the producer computes with (about 146 years): deadlines are nanoTime values
     * compared by subtraction, which stays correct for differences below 2^63.
     */
    static final long MAX_DURATION_NANOS = 1L << 62;

    static ProducerSettings of(ProducerConfig config) {
        long backoff = nanos(config.retryBackoffMs());
        long backoffMax = nanos(config.retryBackoffMaxMs());
        if (backoffMax < backoff) {
            throw invalid(ProducerConfig.RETRY_BACKOFF_MAX_MS + " (" + config.retryBackoffMaxMs() + ") must be at least "
                    + ProducerConfig.RETRY_BACKOFF_MS + " (" + config.retryBackoffMs() + ")");
        }
        if (config.deliveryTimeoutMs() <= config.lingerMs()) {
            // Every batch would expire while it waits for more records.
            throw invalid(ProducerConfig.DELIVERY_TIMEOUT_MS + " (" + config.deliveryTimeoutMs() + ") must be larger than "
                    + ProducerConfig.LINGER_MS + " (" + config.lingerMs() + ")");
        }
        CompressionCodec codec = CompressionCodec.valueOf(config.compressionType().toUpperCase(Locale.ROOT));
        if (!codec.supported()) {
            throw invalid(ProducerConfig.COMPRESSION_TYPE + " " + config.compressionType()
                    + " is not supported by this version of the record format");
        }
        int batchLimit = Math.min(config.batchSize(), Math.min(config.maxRequestSize(), MAX_PARTITION_BYTES_PER_REQUEST));
        return new ProducerSettings(config.acks(), nanos(config.lingerMs()), config.batchSize(), config.maxRequestSize(), codec,
                config.bufferMemory(), nanos(config.maxBlockMs()), nanos(config.deliveryTimeoutMs()), nanos(config.requestTimeoutMs()),
                backoff, backoffMax, config.maxInFlightPerPartition(), nanos(config.metadataMaxAgeMs()), config.clientId(), batchLimit);
    }

    private static long nanos(long millis) {
        return Math.min(TimeUnit.MILLISECONDS.toNanos(millis), MAX_DURATION_NANOS);
    }

    private static TributaryException invalid(String message) {
        return new TributaryException(TributaryException.INVALID_CONFIG, message);
    }
}
