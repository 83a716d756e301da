package dev.tributary.compaction;

import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.log.PartitionLog;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes whole stored batches in the log's layout ({@code LogKeySpace}: a batch is
 * stored under its base offset in chunks of at most {@link PartitionLog#CHUNK_BYTES}; the first
 * chunk's length field gives the total size).
 */
final class StoredBatches {
    /** One stored batch: its key's base offset and its reassembled bytes. */
    record Stored(long base, byte[] bytes) {}

    /** Batches read by one call, and whether the range had no more. */
    record Page(List<Stored> batches, boolean rangeDone) {}

    /** Keys per range read: a few batches, or a few chunks of one large batch. */
    private static final int KEYS_PER_READ = 16;

    private StoredBatches() {}

    /**
     * The batches whose base offsets are in [{@code fromBase}, {@code toBase}), in order, stopping
     * before a batch that would take the total past {@code maxBytes} or the count past {@code
     * maxBatches}; the first batch is always read whatever its size.
     */
    static Page read(ReadTransaction tx, PartitionKeys keys, long fromBase, long toBase, long maxBytes, int maxBatches) {
        List<Stored> out = new ArrayList<>();
        if (fromBase >= toBase) {
            return new Page(out, true);
        }
        byte[] begin = keys.batchesFrom(fromBase);
        byte[] end = keys.batchesFrom(toBase);
        long total = 0;
        byte[] assembling = null;
        long assemblingBase = -1;
        int filled = 0;
        int expectedChunk = 0;
        while (true) {
            List<KeyValue> kvs = tx.getRange(begin, end, KEYS_PER_READ, false).join();
            for (KeyValue kv : kvs) {
                long[] id = keys.decodeChunk(kv.key());
                byte[] value = kv.value();
                if (id[1] == 0) {
                    if (assembling != null) {
                        throw new IllegalStateException("stored batch at " + assemblingBase + " is missing chunks");
                    }
                    long size = RecordBatch.declaredSize(value, 0);
                    if (size < value.length || value.length < RecordBatch.HEADER_BYTES || size > Integer.MAX_VALUE) {
                        throw new IllegalStateException("stored batch at " + id[0] + " is damaged: first chunk of "
                                + value.length + " bytes, declared size " + size);
                    }
                    if (!out.isEmpty() && (total + size > maxBytes || out.size() >= maxBatches)) {
                        return new Page(out, false);
                    }
                    if (size == value.length) {
                        out.add(new Stored(id[0], value));
                        total += size;
                        continue;
                    }
                    assembling = new byte[(int) size];
                    System.arraycopy(value, 0, assembling, 0, value.length);
                    assemblingBase = id[0];
                    filled = value.length;
                    expectedChunk = 1;
                    continue;
                }
                if (assembling == null || id[0] != assemblingBase || id[1] != expectedChunk
                        || filled + value.length > assembling.length) {
                    throw new IllegalStateException("stored batch at " + id[0] + " has an unexpected chunk " + id[1]);
                }
                System.arraycopy(value, 0, assembling, filled, value.length);
                filled += value.length;
                expectedChunk++;
                if (filled == assembling.length) {
                    out.add(new Stored(assemblingBase, assembling));
                    total += assembling.length;
                    assembling = null;
                }
            }
            if (kvs.size() < KEYS_PER_READ) {
                if (assembling != null) {
                    throw new IllegalStateException("stored batch at " + assemblingBase + " is missing chunks");
                }
                return new Page(out, true);
            }
            begin = Keys.keyAfter(kvs.get(kvs.size() - 1).key());
        }
    }

    /** The base offset of the first batch at or after {@code offset}, or -1 if there is none. */
    static long firstBaseAtOrAfter(ReadTransaction tx, PartitionKeys keys, long offset) {
        List<KeyValue> first = tx.getRange(keys.batchesFrom(offset), keys.batchesEnd(), 1, false).join();
        return first.isEmpty() ? -1 : keys.decodeChunk(first.get(0).key())[0];
    }

    /** The base offset of the last batch starting at or before {@code offset}, or -1 if there is none. */
    static long lastBaseAtOrBefore(ReadTransaction tx, PartitionKeys keys, long offset) {
        List<KeyValue> last = tx.getRange(keys.batchesBegin(), keys.batchesFrom(offset + 1), 1, true).join();
        return last.isEmpty() ? -1 : keys.decodeChunk(last.get(0).key())[0];
    }

    /** Removes every chunk of the batch at {@code base}. */
    static void clear(Transaction tx, PartitionKeys keys, long base) {
        tx.clearRange(keys.batchesFrom(base), keys.batchesFrom(base + 1));
    }

    /** Writes {@code batch} (its base offset already set to {@code base}) in chunks, as the log does. */
    static void write(Transaction tx, PartitionKeys keys, long base, byte[] batch) {
        int chunkBytes = PartitionLog.CHUNK_BYTES;
        if (batch.length <= chunkBytes) {
            tx.set(keys.chunk(base, 0), batch);
            return;
        }
        for (int chunk = 0, from = 0; from < batch.length; chunk++, from += chunkBytes) {
            tx.set(keys.chunk(base, chunk), Arrays.copyOfRange(batch, from, Math.min(batch.length, from + chunkBytes)));
        }
    }
}
