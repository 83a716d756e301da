package dev.tributary.log;

/**
 * An acknowledged append: durable when returned.
 *
 * @param baseOffset offset assigned to the batch's first record
 * @param lastOffset offset of its last record
 * @param logAppendTimeMillis the broker's clock when the append was committed (epoch ms)
 */
public record AppendResult(long baseOffset, long lastOffset, long logAppendTimeMillis) {}
