package dev.tributary.compaction;

import static dev.tributary.log.PartitionAccess.checkPartitionNumber;
import static dev.tributary.log.PartitionAccess.decodeLong;
import static dev.tributary.log.PartitionAccess.decodeTailNextOffset;
import static dev.tributary.log.PartitionAccess.encodeLong;
import static dev.tributary.log.PartitionAccess.requirePartition;

import dev.tributary.compaction.CompactionResult.Status;
import dev.tributary.compaction.StoredBatches.Page;
import dev.tributary.compaction.StoredBatches.Stored;
import dev.tributary.log.LogKeySpace;
import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import dev.tributary.topic.CleanupPolicy;
import dev.tributary.topic.TopicConfig;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Log compaction for {@code cleanup.policy=compact}: keeps, for every key, only the latest record
 * of a partition, and removes tombstones (records with a null value) once they are old enough.
 *
 * <p><b>What is kept.</b> Among the records a pass covers, a record is removed when a later record
 * has the same key; a tombstone that is the latest of its key is kept until its timestamp plus
 * {@code delete.retention.ms} has passed (so a consumer that reads from the start within that time
 * sees the delete), then removed. Records without a key are always kept: nothing supersedes them
 * (Kafka rejects them at produce; here they simply stay). The newest batch (the active tail) is
 * never touched, nor is any batch from the first one whose max timestamp is newer than {@code now
 * - min.compaction.lag.ms} on: compaction covers the log up to there, so records newer than the
 * lag are neither removed nor used to remove older ones. Timestamps are the producers' (as for
 * retention).
 *
 * <p><b>Offsets stay.</b> A batch that loses records is written again with the surviving records
 * at their own offsets, so its offset deltas have gaps; timestamps, keys, values, headers,
 * producer id and epoch, and the compression codec are kept (the base sequence moves with the base
 * offset, so each record keeps its sequence number). The format requires the first record's delta
 * to be 0, so a batch whose first records were removed starts, and is stored, at its first
 * surviving record. A batch left empty is removed. Batches are never merged. The high watermark
 * and the log start offset do not change: a consumer starting at the log start reads the first
 * surviving record, and {@code PartitionLog.fetch} at an offset that was removed returns the next
 * surviving records.
 *
 * <p><b>Passes and bounded memory.</b> A pass (1) maps key → latest offset for the new ("dirty")
 * records, from the checkpoint ({@link CompactionCheckpoint}) up to the newest batch, the lag
 * bound, or the point where the map ({@link KeyOffsetMap}, at most {@code maxMapEntries} keys)
 * is full; (2) rewrites every batch from the log start to the end of the mapped range in offset
 * order, in bounded transactions; (3) records the mapped range's end as clean. Below the
 * checkpoint every key occurs at most once, so the next pass maps only newer records but still
 * rewrites from the log start (an older record may be superseded by a new one). When the map was
 * full, {@link #compact} runs further passes until the cleanable range is covered. A pass runs
 * only when the dirty bytes are at least {@code minDirtyRatio} of the partition's bytes, or a kept
 * tombstone is due. Tombstones are removed only in offset order after every older record of their
 * key (the same or an earlier pass removed those first), so an interrupted pass can never bring a
 * deleted key back.
 *
 * <p><b>Concurrency.</b> Appends read the topic metadata, the leader epoch and the tail, and write
 * batch chunks at the tail, an index entry, the tail and an ADD to the byte counter. Compaction
 * reads batches, tail, counter and index at snapshot, and with conflict only the topic metadata and
 * the log start key; it writes batch keys below the tail, index entries of batches below the tail,
 * an ADD to the counter and the checkpoint key. So appends and compaction never make each other
 * retry. Every rewriting transaction also declares a write conflict on the log start key, which
 * retention and compaction read with conflict: two compactors (two pods, briefly) or a compactor
 * and a retention enforcer on one partition never commit overlapping transactions; one retries and
 * sees the other's work. Each transaction reads at most {@code maxBytesPerTransaction} of batches
 * (one batch at least) and rewrites no more than it read.
 *
 * <p><b>Invariants.</b> The retained-bytes counter gets the exact size difference of every
 * rewritten or removed batch, in the same transaction. The time index is repaired in the same
 * transaction ({@link TimeIndexRepair}): an entry whose batch moved or disappeared moves to the
 * next surviving batch, so entries keep pointing at stored batches and {@code
 * PartitionLog.offsetForTimestamp} stays exact.
 */
public final class LogCompactor {
    private final KeyValueStore store;
    private final CompactionOptions options;

    public LogCompactor(KeyValueStore store) {
        this(store, CompactionOptions.defaults());
    }

    public LogCompactor(KeyValueStore store, CompactionOptions options) {
        this.store = store;
        this.options = options;
    }

    public CompactionOptions options() {
        return options;
    }

    /**
     * Compacts one partition as of {@code nowMillis} if its topic's cleanup.policy is compact, in
     * as many passes as the key map needs. Fails with UNKNOWN_TOPIC / UNKNOWN_PARTITION like the
     * log. Safe to run from any pod and concurrently with appends, fetches, retention and other
     * compactors (see the class comment).
     */
    public CompactionResult compact(String tenant, TopicId topicId, int partition, long nowMillis) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        Totals totals = new Totals();
        boolean firstPass = true;
        while (true) {
            PassEnd end = pass(keys, tenant, topicId, partition, nowMillis, firstPass, totals);
            if (!end.mapWasFull()) {
                return totals.result(end.status(), end.cleanOffset());
            }
            firstPass = false;
        }
    }

    /** How a pass ended; {@code mapWasFull} means another pass is needed for the rest. */
    private record PassEnd(Status status, long cleanOffset, boolean mapWasFull) {}

    /** Running sums over the passes of one call. */
    private static final class Totals {
        int passes;
        long recordsRemoved;
        long tombstonesRemoved;
        long batchesRewritten;
        long batchesRemoved;
        long bytesFreed;
        int transactions;

        CompactionResult result(Status status, long cleanOffset) {
            return new CompactionResult(status, passes, recordsRemoved, tombstonesRemoved, batchesRewritten, batchesRemoved,
                    bytesFreed, cleanOffset, transactions);
        }
    }

    private PassEnd pass(PartitionKeys keys, String tenant, TopicId topicId, int partition, long now, boolean firstPass,
            Totals totals) {
        Start start = store.read(tx -> readStart(tx, keys, tenant, topicId, partition));
        totals.transactions++;
        CompactionCheckpoint checkpoint = start.checkpoint();
        if (start.config().cleanupPolicy() != CleanupPolicy.COMPACT) {
            return new PassEnd(Status.NOT_COMPACTED_TOPIC, checkpoint.cleanOffset(), false);
        }
        long highWatermark = start.highWatermark();
        long dirtyStart = Math.max(checkpoint.cleanOffset(), start.logStart());
        boolean tombstonesDue = checkpoint.tombstoneDeadline() <= now;
        // The ratio decides whether compacting is worth reading the whole log again; once a call
        // has started (the map filled up), it finishes the cleanable range.
        boolean gated = firstPass && !tombstonesDue && options.minDirtyRatio() > 0;
        long retained = Math.max(0, start.retainedBytes());
        long cleanBytes = Math.min(Math.max(0, checkpoint.cleanBytes()), retained);
        // The counter bounds the dirty bytes from above (it includes what is too new to compact):
        // if even that is below the ratio, nothing needs to be read.
        if (gated && retained - cleanBytes < options.minDirtyRatio() * retained) {
            return new PassEnd(Status.BELOW_MIN_DIRTY_RATIO, checkpoint.cleanOffset(), false);
        }
        if (highWatermark == 0) {
            return new PassEnd(Status.NOTHING_TO_COMPACT, checkpoint.cleanOffset(), false);
        }

        KeyOffsetMap map = new KeyOffsetMap(options.maxMapEntries());
        long lagHorizon = saturatedSubtract(now, start.config().minCompactionLagMs());
        Mapped mapped = mapKeys(keys, dirtyStart, highWatermark, lagHorizon, map, totals);
        if (mapped.end() <= dirtyStart && !tombstonesDue) {
            return new PassEnd(Status.NOTHING_TO_COMPACT, checkpoint.cleanOffset(), false);
        }
        if (gated && mapped.dirtyBytes() < options.minDirtyRatio() * (cleanBytes + mapped.dirtyBytes())) {
            return new PassEnd(Status.BELOW_MIN_DIRTY_RATIO, checkpoint.cleanOffset(), false);
        }

        Rewritten rewritten = rewrite(keys, tenant, topicId, partition, mapped.end(), highWatermark, now, map, totals);
        if (rewritten.policyChanged()) {
            return new PassEnd(Status.POLICY_CHANGED, checkpoint.cleanOffset(), false);
        }
        CompactionCheckpoint done = new CompactionCheckpoint(mapped.end(), rewritten.cleanBytes(), rewritten.tombstoneDeadline());
        boolean recorded = store.run(tx -> recordCheckpoint(tx, keys, tenant, topicId, partition, done));
        totals.transactions++;
        totals.passes++;
        if (!recorded) {
            return new PassEnd(Status.POLICY_CHANGED, checkpoint.cleanOffset(), false);
        }
        return new PassEnd(Status.COMPACTED, mapped.end(), mapped.mapWasFull());
    }

    /** The partition's state at the start of a pass. */
    private record Start(TopicConfig config, long logStart, long highWatermark, long retainedBytes,
            CompactionCheckpoint checkpoint) {}

    private static Start readStart(ReadTransaction tx, PartitionKeys keys, String tenant, TopicId topicId, int partition) {
        CompletableFuture<byte[]> startRead = tx.get(keys.logStart());
        CompletableFuture<byte[]> tailRead = tx.get(keys.tail());
        CompletableFuture<byte[]> bytesRead = tx.get(keys.retainedBytes());
        CompletableFuture<byte[]> checkpointRead = tx.get(keys.compactionCheckpoint());
        TopicMetadata topic = requirePartition(tx, tenant, topicId, partition);
        return new Start(topic.config(), decodeLong(startRead.join(), 0), decodeTailNextOffset(tailRead.join()),
                decodeLong(bytesRead.join(), 0), CompactionCheckpoint.decode(checkpointRead.join()));
    }

    // --- phase 1: map the dirty records ---

    /**
     * The mapped range [dirtyStart, end): every keyed record in it has its key in the map with the
     * latest offset of that key in the range. {@code dirtyBytes} are the stored bytes of the batches
     * it covers.
     */
    private record Mapped(long end, long dirtyBytes, boolean mapWasFull) {}

    private Mapped mapKeys(PartitionKeys keys, long dirtyStart, long highWatermark, long lagHorizon, KeyOffsetMap map,
            Totals totals) {
        // The checkpoint may lie inside a batch (a full map stops at a record): start at that batch.
        long containing = store.read(tx -> StoredBatches.lastBaseAtOrBefore(tx, keys, dirtyStart));
        totals.transactions++;
        long cursor = containing >= 0 ? containing : dirtyStart;
        long end = dirtyStart;
        long dirtyBytes = 0;
        while (true) {
            long from = cursor;
            // Read-only and bounded: each read finishes well within the store's 5 s.
            Page page = store.read(tx -> StoredBatches.read(tx, keys, from, highWatermark,
                    options.maxBytesPerTransaction(), options.maxBatchesPerTransaction()));
            totals.transactions++;
            for (Stored stored : page.batches()) {
                RecordBatch batch = parse(stored);
                cursor = stored.base() + 1;
                if (batch.lastOffset() < dirtyStart) {
                    continue;
                }
                if (batch.lastOffset() + 1 >= highWatermark || batch.maxTimestamp() > lagHorizon) {
                    // The newest batch, or the first one within min.compaction.lag.ms: the end.
                    return new Mapped(end, dirtyBytes, false);
                }
                for (Record r : batch) {
                    if (r.offset() < dirtyStart || r.key() == null) {
                        continue;
                    }
                    if (!map.put(r.key(), r.offset())) {
                        // Full: this pass covers the records before this one; the next pass goes on here.
                        return new Mapped(r.offset(), dirtyBytes + stored.bytes().length, true);
                    }
                }
                end = batch.lastOffset() + 1;
                dirtyBytes += stored.bytes().length;
            }
            if (page.rangeDone()) {
                return new Mapped(end, dirtyBytes, false);
            }
        }
    }

    // --- phase 2: rewrite from the log start to the end of the mapped range ---

    /** What the rewriting transactions of a pass left: the clean part's bytes and kept tombstones' deadline. */
    private record Rewritten(long cleanBytes, long tombstoneDeadline, boolean policyChanged) {}

    /** One rewriting transaction's outcome, applied to the totals only after it committed. */
    private record Step(long nextCursor, boolean done, boolean policyChanged, long recordsRemoved, long tombstonesRemoved,
            long batchesRewritten, long batchesRemoved, long bytesFreed, long cleanBytes, long tombstoneDeadline,
            byte[] indexHint) {
        static Step policyChange() {
            return new Step(0, true, true, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE, null);
        }
    }

    private Rewritten rewrite(PartitionKeys keys, String tenant, TopicId topicId, int partition, long mapEnd,
            long highWatermark, long now, KeyOffsetMap map, Totals totals) {
        TimeIndexRepair index = new TimeIndexRepair(keys);
        long cursor = 0;
        long cleanBytes = 0;
        long deadline = Long.MAX_VALUE;
        while (true) {
            long from = cursor;
            Step step = store.run(tx -> rewriteStep(tx, keys, tenant, topicId, partition, from, mapEnd, highWatermark, now,
                    map, index));
            totals.transactions++;
            if (step.policyChanged()) {
                return new Rewritten(cleanBytes, deadline, true);
            }
            totals.recordsRemoved += step.recordsRemoved();
            totals.tombstonesRemoved += step.tombstonesRemoved();
            totals.batchesRewritten += step.batchesRewritten();
            totals.batchesRemoved += step.batchesRemoved();
            totals.bytesFreed += step.bytesFreed();
            cleanBytes += step.cleanBytes();
            deadline = Math.min(deadline, step.tombstoneDeadline());
            if (step.indexHint() != null) {
                index.advance(step.indexHint());
            }
            if (step.done()) {
                return new Rewritten(cleanBytes, deadline, false);
            }
            cursor = step.nextCursor();
        }
    }

    private Step rewriteStep(Transaction tx, PartitionKeys keys, String tenant, TopicId topicId, int partition, long cursor,
            long mapEnd, long highWatermark, long now, KeyOffsetMap map, TimeIndexRepair index) {
        // Conflicts: retention moving the log start, or a config change, make this transaction
        // retry; the declared write makes a concurrent retention or compaction transaction on this
        // partition retry. Appends read neither key.
        CompletableFuture<byte[]> startRead = tx.get(keys.logStart());
        tx.addWriteConflictKey(keys.logStart());
        TopicMetadata topic = requirePartition(tx, tenant, topicId, partition);
        if (topic.config().cleanupPolicy() != CleanupPolicy.COMPACT) {
            return Step.policyChange();
        }
        long deleteRetentionMs = topic.config().deleteRetentionMs();
        long deleteHorizon = saturatedSubtract(now, deleteRetentionMs);
        long from = Math.max(cursor, decodeLong(startRead.join(), 0));
        ReadTransaction snapshot = tx.snapshot();
        Page page = StoredBatches.read(snapshot, keys, from, mapEnd, options.maxBytesPerTransaction(),
                options.maxBatchesPerTransaction());
        if (page.batches().isEmpty()) {
            return new Step(from, true, false, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE, null);
        }

        long recordsRemoved = 0;
        long tombstonesRemoved = 0;
        long batchesRewritten = 0;
        long batchesRemoved = 0;
        long sizeChange = 0;
        long cleanBytes = 0;
        long deadline = Long.MAX_VALUE;
        long[] survivors = new long[page.batches().size()];
        int survivorCount = 0;
        long lastBase = -1;
        boolean reachedNewest = false;
        for (Stored stored : page.batches()) {
            RecordBatch batch = parse(stored);
            if (batch.lastOffset() + 1 >= highWatermark) {
                // The newest batch is never rewritten (phase 1 never maps it, so it lies beyond
                // mapEnd; this guards the rule itself).
                reachedNewest = true;
                break;
            }
            lastBase = stored.base();
            List<Record> kept = new ArrayList<>(batch.recordCount());
            for (Record r : batch) {
                if (r.offset() >= mapEnd || r.key() == null) {
                    kept.add(r);
                    continue;
                }
                if (map.get(r.key()) > r.offset()) {
                    recordsRemoved++;
                } else if (r.value() == null && r.timestamp() <= deleteHorizon) {
                    tombstonesRemoved++;
                } else {
                    kept.add(r);
                    if (r.value() == null) {
                        deadline = Math.min(deadline, saturatedAdd(r.timestamp(), deleteRetentionMs));
                    }
                }
            }
            boolean belowMapEnd = batch.lastOffset() < mapEnd;
            if (kept.size() == batch.recordCount()) {
                survivors[survivorCount++] = stored.base();
                cleanBytes += belowMapEnd ? stored.bytes().length : 0;
                continue;
            }
            StoredBatches.clear(tx, keys, stored.base());
            if (kept.isEmpty()) {
                batchesRemoved++;
                sizeChange -= stored.bytes().length;
                continue;
            }
            long newBase = kept.get(0).offset();
            byte[] bytes = rebuild(batch, kept, newBase);
            StoredBatches.write(tx, keys, newBase, bytes);
            survivors[survivorCount++] = newBase;
            batchesRewritten++;
            sizeChange += bytes.length - stored.bytes().length;
            cleanBytes += belowMapEnd ? bytes.length : 0;
        }
        if (lastBase < 0) {
            return new Step(from, true, false, 0, 0, 0, 0, 0, 0, Long.MAX_VALUE, null);
        }
        if (sizeChange != 0) {
            tx.mutate(MutationType.ADD, keys.retainedBytes(), encodeLong(sizeChange));
        }
        long rangeEnd = lastBase + 1;
        long nextBase = StoredBatches.firstBaseAtOrAfter(snapshot, keys, rangeEnd);
        if (nextBase < 0) {
            throw new IllegalStateException("no batch after offset " + rangeEnd + " although the newest batch is never compacted");
        }
        long[] survivingBases = Arrays.copyOf(survivors, survivorCount);
        byte[] hint = index.repair(tx, snapshot, from, rangeEnd, survivingBases, nextBase);
        boolean done = reachedNewest || page.rangeDone();
        return new Step(rangeEnd, done, false, recordsRemoved, tombstonesRemoved, batchesRewritten, batchesRemoved,
                -sizeChange, cleanBytes, deadline, hint);
    }

    /**
     * The batch with only {@code kept} (a non-empty, ordered subset of its records), stored from
     * {@code newBase} = the first kept record's offset: offsets, timestamps, keys, values, headers,
     * producer and codec are kept; the base sequence moves with the base offset so that every
     * record keeps its sequence number (base sequence + offset delta).
     */
    static byte[] rebuild(RecordBatch original, List<Record> kept, long newBase) {
        RecordBatchBuilder builder = RecordBatch.builder().compression(original.compression());
        if (original.producerId() != RecordBatch.NO_PRODUCER_ID) {
            long shift = newBase - original.baseOffset();
            // Sequence numbers wrap to 0 after Integer.MAX_VALUE, as in Kafka.
            int baseSequence = (int) ((original.baseSequence() + shift) % (1L << 31));
            builder.producer(original.producerId(), original.producerEpoch(), baseSequence);
        }
        for (Record r : kept) {
            builder.appendWithOffsetDelta(Math.toIntExact(r.offset() - newBase), r.timestamp(), r.key(), r.value(), r.headers());
        }
        byte[] bytes = builder.build();
        RecordBatch.setBaseOffset(bytes, newBase);
        return bytes;
    }

    // --- phase 3: the checkpoint ---

    /** Records the pass's end unless the policy changed or another compactor recorded a later one. */
    private static boolean recordCheckpoint(Transaction tx, PartitionKeys keys, String tenant, TopicId topicId,
            int partition, CompactionCheckpoint done) {
        CompletableFuture<byte[]> current = tx.get(keys.compactionCheckpoint());
        TopicMetadata topic = requirePartition(tx, tenant, topicId, partition);
        if (topic.config().cleanupPolicy() != CleanupPolicy.COMPACT) {
            return false;
        }
        if (CompactionCheckpoint.decode(current.join()).cleanOffset() <= done.cleanOffset()) {
            tx.set(keys.compactionCheckpoint(), done.encode());
        }
        return true;
    }

    // --- helpers ---

    private static RecordBatch parse(Stored stored) {
        try {
            return RecordBatch.parse(stored.bytes());
        } catch (InvalidRecordBatchException e) {
            throw new IllegalStateException("stored batch at " + stored.base() + " is damaged: " + e.getMessage(), e);
        }
    }

    private static long saturatedSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }
}
