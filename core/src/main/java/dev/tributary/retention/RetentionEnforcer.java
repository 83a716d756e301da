package dev.tributary.retention;

import static dev.tributary.log.PartitionAccess.checkPartitionNumber;
import static dev.tributary.log.PartitionAccess.decodeLong;
import static dev.tributary.log.PartitionAccess.decodeTailNextOffset;
import static dev.tributary.log.PartitionAccess.encodeLong;
import static dev.tributary.log.PartitionAccess.requirePartition;

import dev.tributary.log.LogKeySpace;
import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.retention.BatchHeaderScanner.Budget;
import dev.tributary.retention.BatchHeaderScanner.Header;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import dev.tributary.topic.CleanupPolicy;
import dev.tributary.topic.TopicConfig;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Retention for {@code cleanup.policy=delete}: removes whole batches from the start of one
 * partition's log while they are older than retention.ms or the partition holds more than
 * retention.bytes, and advances the log start offset in the same transaction.
 *
 * <p><b>Rules.</b> A batch is expired when its max timestamp is below {@code now - retention.ms}
 * (retention.ms &gt;= 0); the partition is oversized while its retained bytes (sum of stored batch
 * sizes, the {@code ("l", topicId, p, "z")} counter) exceed retention.bytes (&gt;= 0), so size
 * retention is a cap: afterwards the partition holds at most retention.bytes (Kafka instead deletes
 * a segment only if at least retention.bytes remain). Deletion stops at the first batch that is
 * neither, so only a prefix is ever removed, and <b>the newest batch is never deleted</b> (Kafka
 * keeps the active segment likewise): the log never becomes empty once written, so the log end
 * keeps a readable batch, the tail's running max timestamp stays backed by data, and consumers at
 * the end are not pushed out of range. Topics with cleanup.policy=compact are not touched.
 *
 * <p><b>Bounded transactions.</b> Each transaction examines at most {@link #MAX_BATCHES_PER_TRANSACTION}
 * batch headers and about {@link #MAX_READ_BYTES_PER_TRANSACTION} bytes of first chunks, then
 * commits; {@link #enforce} loops until done. One call only considers batches below the high
 * watermark seen by its first transaction, so it ends even under a steady append load; later data
 * is the next call's.
 *
 * <p><b>No conflict with appends.</b> An append reads the topic metadata, the leader epoch and the
 * tail, and writes batch chunks, an index entry, the tail and an atomic ADD to the byte counter.
 * Retention reads (with conflict) only the topic metadata and the log start key; the tail, the byte
 * counter, the batch headers and the time index are read at snapshot (no conflict): batches below
 * the tail are immutable, the tail only grows, and a stale byte count is only smaller (so retention
 * deletes no more than needed). It writes the cleared batch and index ranges (below the tail), the
 * log start key and an atomic ADD to the counter, none of which an append reads. So an append is
 * never retried because of retention, and retention is never retried because of an append; two
 * enforcers on one partition conflict on the log start key (one retries and sees the other's
 * work), and a topic delete or config change conflicts on the metadata key.
 *
 * <p><b>Time index.</b> Index entries (ts, base) increase in both fields (one per raise of the
 * running max), so the entries of deleted batches are an index prefix. Let E be the first entry at
 * or after the new start. If E exists, the prefix is cleared and the remaining un-indexed batches
 * before E are re-indexed from a fresh running max, giving exactly the index of a log that begins
 * at the new start. If re-indexing does not fit the transaction's budget, or no E exists (the
 * tail's running max was set by a deleted batch, and appends compare against it), the last prefix
 * entry is kept as a sentinel below the log start: {@code PartitionLog.offsetForTimestamp} answers
 * timestamps up to the sentinel's by scanning from the log start, which is correct (no later entry
 * can be skipped) but linear, and every later batch that raises the running max is indexed as
 * usual. At most one entry ever points below the log start.
 */
public final class RetentionEnforcer {
    /** Batch headers examined per transaction. */
    public static final int MAX_BATCHES_PER_TRANSACTION = 1_000;
    /** First-chunk bytes read per transaction (batches are read only for their headers). */
    public static final long MAX_READ_BYTES_PER_TRANSACTION = 1024 * 1024;
    /** Index keys per range read of the time index. */
    private static final int INDEX_PAGE = 128;

    private final KeyValueStore store;
    private final int maxBatchesPerTransaction;
    private final long maxReadBytesPerTransaction;

    public RetentionEnforcer(KeyValueStore store) {
        this(store, MAX_BATCHES_PER_TRANSACTION, MAX_READ_BYTES_PER_TRANSACTION);
    }

    /** With explicit per-transaction bounds (tests use small ones to exercise many transactions). */
    public RetentionEnforcer(KeyValueStore store, int maxBatchesPerTransaction, long maxReadBytesPerTransaction) {
        if (maxBatchesPerTransaction < 1 || maxReadBytesPerTransaction < 1) {
            throw new IllegalArgumentException("per-transaction bounds must be positive");
        }
        this.store = store;
        this.maxBatchesPerTransaction = maxBatchesPerTransaction;
        this.maxReadBytesPerTransaction = maxReadBytesPerTransaction;
    }

    /**
     * Applies the topic's retention.ms and retention.bytes to one partition as of {@code nowMillis}.
     * Fails with UNKNOWN_TOPIC / UNKNOWN_PARTITION like the log. Safe to run from any pod and
     * concurrently with appends, fetches and other enforcers (see the class comment).
     */
    public RetentionResult enforce(String tenant, TopicId topicId, int partition, long nowMillis) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        long deleted = 0;
        long freed = 0;
        int transactions = 0;
        long bound = Long.MAX_VALUE;
        while (true) {
            long endBound = bound;
            Step step = store.run(tx -> step(tx, keys, tenant, topicId, partition, nowMillis, endBound));
            transactions++;
            deleted += step.deleted;
            freed += step.freed;
            bound = step.highWatermark;
            // A step that was cut short by its budget always examined at least one batch; if it
            // deleted none, the first batch is retained and there is nothing more to do.
            if (step.done || step.deleted == 0) {
                return new RetentionResult(deleted, step.logStart, freed, transactions);
            }
        }
    }

    /** One bounded transaction's outcome; {@code highWatermark} is the bound later steps keep to. */
    private record Step(long deleted, long freed, long logStart, long highWatermark, boolean done) {}

    private Step step(Transaction tx, PartitionKeys keys, String tenant, TopicId topicId, int partition, long now,
            long endBound) {
        CompletableFuture<byte[]> startRead = tx.get(keys.logStart());
        ReadTransaction snapshot = tx.snapshot();
        CompletableFuture<byte[]> tailRead = snapshot.get(keys.tail());
        CompletableFuture<byte[]> bytesRead = snapshot.get(keys.retainedBytes());
        TopicMetadata topic = requirePartition(tx, tenant, topicId, partition);
        long start = decodeLong(startRead.join(), 0);
        long highWatermark = Math.min(endBound, decodeTailNextOffset(tailRead.join()));
        TopicConfig config = topic.config();
        long retentionMs = config.retentionMs();
        long retentionBytes = config.retentionBytes();
        if (config.cleanupPolicy() != CleanupPolicy.DELETE || (retentionMs < 0 && retentionBytes < 0)) {
            return new Step(0, 0, start, highWatermark, true);
        }
        // Appends before the counter existed are not in it, and deleting them can drive it below
        // zero: treat that as zero (size retention then under-counts, never over-deletes).
        long retained = Math.max(0, decodeLong(bytesRead.join(), 0));
        // now - retentionMs cannot overflow: now is an epoch time and retentionMs is non-negative.
        long expiredBefore = retentionMs >= 0 ? now - retentionMs : Long.MIN_VALUE;

        Budget budget = new Budget(maxBatchesPerTransaction, maxReadBytesPerTransaction);
        BatchHeaderScanner scan = new BatchHeaderScanner(snapshot, keys, start, highWatermark, budget);
        long deleted = 0;
        long freed = 0;
        long newStart = start;
        boolean done;
        while (true) {
            Header h = scan.next();
            if (h == null) {
                done = scan.finished();
                break;
            }
            boolean newest = h.lastOffset() + 1 >= highWatermark;
            boolean expired = retentionMs >= 0 && h.maxTimestamp() < expiredBefore;
            boolean oversized = retentionBytes >= 0 && retained - freed > retentionBytes;
            if (newest || !(expired || oversized)) {
                done = true;
                break;
            }
            deleted++;
            freed += h.sizeBytes();
            newStart = h.lastOffset() + 1;
        }
        if (deleted > 0) {
            tx.clearRange(keys.batchesBegin(), keys.batchesFrom(newStart));
            tx.set(keys.logStart(), encodeLong(newStart));
            tx.mutate(MutationType.ADD, keys.retainedBytes(), encodeLong(-freed));
        }
        trimIndex(tx, snapshot, keys, newStart, highWatermark, budget);
        return new Step(deleted, freed, newStart, highWatermark, done);
    }

    /**
     * Removes the time-index entries of batches below {@code newStart} and re-indexes what follows
     * when that fits the budget (see the class comment). Also repairs a sentinel left by an earlier
     * transaction whose budget ran out, whether or not this one deleted anything.
     */
    private static void trimIndex(Transaction tx, ReadTransaction snapshot, PartitionKeys keys, long newStart,
            long highWatermark, Budget budget) {
        long[] lastBelow = null;
        long[] firstAtOrAfter = null;
        byte[] from = keys.indexBegin();
        byte[] indexEnd = keys.indexEnd();
        // Entries below newStart are at most the deleted batches' plus one sentinel, so this is bounded.
        scan:
        while (true) {
            List<KeyValue> page = snapshot.getRange(from, indexEnd, INDEX_PAGE, false).join();
            for (KeyValue kv : page) {
                long[] entry = keys.decodeIndex(kv.key());
                if (entry[1] >= newStart) {
                    firstAtOrAfter = entry;
                    break scan;
                }
                lastBelow = entry;
            }
            if (page.size() < INDEX_PAGE) {
                break;
            }
            from = Keys.keyAfter(page.get(page.size() - 1).key());
        }
        if (lastBelow == null) {
            return;
        }
        byte[] sentinel = keys.indexEntry(lastBelow[0], lastBelow[1]);
        if (firstAtOrAfter != null) {
            List<long[]> fresh = new ArrayList<>();
            BatchHeaderScanner scan = new BatchHeaderScanner(snapshot, keys, newStart, firstAtOrAfter[1], budget);
            boolean hasMax = false;
            long runningMax = Long.MIN_VALUE;
            for (Header h = scan.next(); h != null; h = scan.next()) {
                if (!hasMax || h.maxTimestamp() > runningMax) {
                    fresh.add(new long[] {h.maxTimestamp(), h.baseOffset()});
                    runningMax = h.maxTimestamp();
                    hasMax = true;
                }
            }
            if (scan.finished()) {
                tx.clearRange(keys.indexBegin(), Keys.keyAfter(sentinel));
                for (long[] e : fresh) {
                    tx.set(keys.indexEntry(e[0], e[1]), new byte[0]);
                }
                return;
            }
        }
        // Keep the last entry below the start as the sentinel; clear only what precedes it. The
        // clear ends at a key the snapshot saw, so it can never remove an entry a concurrent append
        // wrote (those all sort after every existing entry).
        if (Keys.compare(keys.indexBegin(), sentinel) < 0 && firstEntryBefore(snapshot, keys, sentinel)) {
            tx.clearRange(keys.indexBegin(), sentinel);
        }
    }

    private static boolean firstEntryBefore(ReadTransaction snapshot, PartitionKeys keys, byte[] sentinel) {
        return !snapshot.getRange(keys.indexBegin(), sentinel, 1, false).join().isEmpty();
    }
}
