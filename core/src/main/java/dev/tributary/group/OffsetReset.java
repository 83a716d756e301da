package dev.tributary.group;

/** Where an admin reset moves a group's committed offsets. */
public record OffsetReset(Strategy strategy, long value) {
    public enum Strategy {
        /** The log start offset. */
        EARLIEST,
        /** The high watermark (only new records will be consumed). */
        LATEST,
        /** The earliest offset whose timestamp is at least {@code value} (the high watermark if none). */
        TIMESTAMP,
        /** Exactly {@code value}, which must be within [log start, high watermark]. */
        OFFSET
    }

    public static OffsetReset earliest() {
        return new OffsetReset(Strategy.EARLIEST, 0);
    }

    public static OffsetReset latest() {
        return new OffsetReset(Strategy.LATEST, 0);
    }

    public static OffsetReset toTimestamp(long timestampMillis) {
        return new OffsetReset(Strategy.TIMESTAMP, timestampMillis);
    }

    public static OffsetReset toOffset(long offset) {
        return new OffsetReset(Strategy.OFFSET, offset);
    }
}
