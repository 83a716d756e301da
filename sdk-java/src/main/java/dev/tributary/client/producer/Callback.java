package dev.tributary.client.producer;

/**
 * Called once per sent record when it is acknowledged or has failed for good (after the producer's
 * retries), on the producer's I/O thread: keep it short and never block in it.
 */
@FunctionalInterface
public interface Callback {
    /** Exactly one of the two is null. The exception is a {@link dev.tributary.client.TributaryException}. */
    void onCompletion(RecordMetadata metadata, Exception exception);
}
