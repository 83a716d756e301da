package dev.tributary.log;

import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.StorageLimits;
import dev.tributary.storage.Transaction;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The partitioned log: append record batches with dense offsets, fetch them back, find offsets by
 * timestamp, and wait for new data. Keys are described in {@link LogKeySpace}.
 *
 * <p><b>Append</b> is one transaction that reads the topic metadata, the partition's leader epoch
 * and its tail, then writes the batch (in chunks of at most 100,000 bytes), a time index entry when
 * the batch raises the partition's running max timestamp, and the new tail. Dense offsets need the
 * current log end, so the tail is read (not an atomic add): concurrent appends to one partition
 * conflict on that key and {@link KeyValueStore#run} retries the loser; appends to different
 * partitions touch disjoint keys and never conflict. The batch and index keys are blind writes. The
 * epoch read makes a concurrent epoch change abort the append, and a stale epoch fails with {@link
 * LogErrorCode#FENCED_LEADER_EPOCH}. The partition's retained-bytes counter is raised with an atomic
 * ADD (no read), for retention by size.
 *
 * <p>The high watermark equals the log end: a committed transaction is durable (the store is the
 * replication), so everything appended is immediately readable.
 */
public final class PartitionLog {
    /** Bytes per stored chunk: the store's value limit. */
    public static final int CHUNK_BYTES = StorageLimits.MAX_VALUE_BYTES;
    /** Largest key page read at once while fetching. */
    private static final int MAX_FETCH_PAGE = 256;

    private final KeyValueStore store;
    /** Runs watch continuations off the store's threads (FoundationDB completes futures on its network thread). */
    private final Executor continuations;

    public PartitionLog(KeyValueStore store) {
        this(store, ForkJoinPool.commonPool());
    }

    public PartitionLog(KeyValueStore store, Executor continuations) {
        this.store = store;
        this.continuations = continuations;
    }

    /**
     * Appends one batch to a partition and returns the offsets assigned. The batch is validated
     * (format, CRC, dense offset deltas from 0); its base offset field is ignored and set to the log
     * end. The caller's array is not modified.
     *
     * @param expectedLeaderEpoch the epoch under which the caller owns the partition; the append
     *     fails with FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH (newer) if it is not current
     */
    public AppendResult append(String tenant, TopicId topicId, int partition, byte[] batchBytes, long expectedLeaderEpoch) {
        return appendAll(tenant, topicId, partition, List.of(batchBytes), expectedLeaderEpoch).get(0);
    }

    /** Bytes of batches one {@link #appendAll} accepts: keeps the transaction below the store's 10 MB limit. */
    public static final int MAX_APPEND_ALL_BYTES = 8 * 1024 * 1024 + 512 * 1024;

    /**
     * Bytes of records, once decompressed, that the batches of one {@link #appendAll} may hold
     * together (64 MiB, the format's limit for one batch, so that any batch the format accepts can
     * be appended on its own). Validating a compressed batch decodes it, so this bounds the
     * decompression work one call can demand; the data plane applies the same bound to each produce
     * request. An uncompressed batch counts its records as stored.
     */
    public static final int MAX_APPEND_UNCOMPRESSED_BYTES = RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES;

    /**
     * Appends several batches to one partition in ONE transaction, consecutively with dense offsets,
     * in list order, and returns one result per batch. All or nothing: if any batch is invalid or
     * too large, nothing is written. This is what lets the data plane put many producers' batches
     * into one commit (one fsync) instead of one commit per batch. The batches together may hold at
     * most {@link #MAX_APPEND_ALL_BYTES} as stored and {@link #MAX_APPEND_UNCOMPRESSED_BYTES} of
     * records once decompressed (INVALID_REQUEST otherwise); a single batch is bounded by
     * max.message.bytes (and the format) only. The caller's arrays are not modified.
     *
     * <p>The batches are validated one after the other, and of each only the header fields the
     * append needs are kept ({@link ProducedBatch}): decompressed records are dropped as soon as
     * they are checked, so validation holds at most one batch's decompressed records at a time.
     */
    public List<AppendResult> appendAll(String tenant, TopicId topicId, int partition, List<byte[]> batchBytes,
            long expectedLeaderEpoch) {
        if (batchBytes.isEmpty()) {
            throw new LogException(LogErrorCode.INVALID_REQUEST, "no batches to append");
        }
        int n = batchBytes.size();
        checkAppendBytes(n, batchBytes.stream().mapToLong(b -> b.length).sum());
        List<ProducedBatch> validated = new ArrayList<>(n);
        long uncompressed = 0;
        for (byte[] b : batchBytes) {
            ProducedBatch batch = ProducedBatch.validate(b.clone());
            uncompressed += batch.uncompressedRecordsSizeInBytes();
            if (uncompressed > MAX_APPEND_UNCOMPRESSED_BYTES) {
                throw new LogException(LogErrorCode.INVALID_REQUEST, "the batches of one append may hold at most "
                        + MAX_APPEND_UNCOMPRESSED_BYTES + " bytes of records once decompressed; the first "
                        + (validated.size() + 1) + " of these " + n + " already hold " + uncompressed);
            }
            validated.add(batch);
        }
        return appendValidated(tenant, topicId, partition, validated, expectedLeaderEpoch);
    }

    /**
     * As {@link #appendAll}, for batches already validated: nothing is parsed or decompressed again.
     * The batches' arrays receive their base offsets (see {@link ProducedBatch}). The batches
     * together may hold at most {@link #MAX_APPEND_ALL_BYTES} as stored (INVALID_REQUEST
     * otherwise); no limit applies to their uncompressed size, since nothing is decompressed here.
     */
    public List<AppendResult> appendValidated(String tenant, TopicId topicId, int partition, List<ProducedBatch> batches,
            long expectedLeaderEpoch) {
        if (batches.isEmpty()) {
            throw new LogException(LogErrorCode.INVALID_REQUEST, "no batches to append");
        }
        int n = batches.size();
        checkAppendBytes(n, batches.stream().mapToLong(ProducedBatch::sizeInBytes).sum());
        checkPartitionNumber(partition);
        List<ProducedBatch> copies = List.copyOf(batches);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.run(tx -> {
            CompletableFuture<byte[]> epochRead = tx.get(keys.leaderEpoch);
            CompletableFuture<byte[]> tailRead = tx.get(keys.tail);
            TopicMetadata topic = requirePartition(tx, tenant, topicId, partition);
            int maxBytes = topic.config().maxMessageBytes();
            for (ProducedBatch batch : copies) {
                if (batch.sizeInBytes() > maxBytes) {
                    throw new LogException(LogErrorCode.RECORD_TOO_LARGE, "batch of " + batch.sizeInBytes()
                            + " bytes exceeds max.message.bytes " + maxBytes + " of topic '" + topic.name() + "'");
                }
            }
            long epoch = decodeLong(epochRead.join(), 0);
            if (expectedLeaderEpoch != epoch) {
                throw new LogException(expectedLeaderEpoch < epoch ? LogErrorCode.FENCED_LEADER_EPOCH : LogErrorCode.UNKNOWN_LEADER_EPOCH,
                        "append with leader epoch " + expectedLeaderEpoch + " to " + topic.name() + "-" + partition
                                + ", whose leader epoch is " + epoch);
            }
            Tail tail = Tail.decode(tailRead.join());
            long next = tail.nextOffset;
            boolean hasTimestamp = tail.hasTimestamp;
            long runningMax = tail.maxTimestamp;
            long now = System.currentTimeMillis();
            List<AppendResult> results = new ArrayList<>(n);
            long appendedBytes = 0;
            for (ProducedBatch meta : copies) {
                byte[] batch = meta.bytes();
                long base = next;
                next = Math.addExact(base, meta.recordCount());
                RecordBatch.setBaseOffset(batch, base);
                writeChunks(tx, keys, base, batch);
                appendedBytes += batch.length;
                if (!hasTimestamp || meta.maxTimestamp() > runningMax) {
                    tx.set(keys.indexEntry(meta.maxTimestamp(), base), new byte[0]);
                    runningMax = meta.maxTimestamp();
                    hasTimestamp = true;
                }
                results.add(new AppendResult(base, base + meta.lastOffsetDelta(), now));
            }
            tx.set(keys.tail, new Tail(next, true, runningMax).encode());
            // Retention by size needs the partition's byte count; an atomic ADD keeps it without a
            // read, so appends gain no conflict with each other or with retention.
            tx.mutate(MutationType.ADD, keys.retainedBytes, encodeLong(appendedBytes));
            return results;
        });
    }

    private static void checkAppendBytes(int batches, long bytes) {
        if (batches > 1 && bytes > MAX_APPEND_ALL_BYTES) {
            throw new LogException(LogErrorCode.INVALID_REQUEST, batches + " batches of " + bytes
                    + " bytes in one append exceed " + MAX_APPEND_ALL_BYTES);
        }
    }

    /** Validates a produced batch: format, CRC, and dense offset deltas from 0 (INVALID_BATCH otherwise). */
    public static RecordBatch parseProduced(byte[] batchBytes) {
        RecordBatch parsed;
        try {
            parsed = RecordBatch.parse(batchBytes);
        } catch (InvalidRecordBatchException e) {
            throw new LogException(LogErrorCode.INVALID_BATCH, e.getMessage(), e);
        }
        if (!parsed.hasDenseOffsets()) {
            InvalidRecordBatchException cause = new InvalidRecordBatchException(InvalidRecordBatchException.Reason.INVALID_OFFSET_DELTA,
                    "a produced batch must have offset deltas 0.." + (parsed.recordCount() - 1) + ", last delta is "
                            + parsed.lastOffsetDelta());
            throw new LogException(LogErrorCode.INVALID_BATCH, cause.getMessage(), cause);
        }
        return parsed;
    }

    private static void writeChunks(Transaction tx, PartitionKeys keys, long base, byte[] batch) {
        if (batch.length <= CHUNK_BYTES) {
            tx.set(keys.chunk(base, 0), batch);
            return;
        }
        for (int chunk = 0, from = 0; from < batch.length; chunk++, from += CHUNK_BYTES) {
            tx.set(keys.chunk(base, chunk), Arrays.copyOfRange(batch, from, Math.min(batch.length, from + CHUNK_BYTES)));
        }
    }

    /**
     * Whole batches from the one containing {@code fromOffset} onward, at most {@code maxBytes}
     * in total unless the first batch alone is larger (then just that one). Reading at the high
     * watermark returns no batches; outside [log start, high watermark] fails with
     * OFFSET_OUT_OF_RANGE naming the valid range. Compaction leaves gaps: an offset whose record
     * was removed reads from the next batch that still holds a later record.
     */
    public FetchResult fetch(String tenant, TopicId topicId, int partition, long fromOffset, int maxBytes) {
        if (maxBytes < 1) {
            throw new LogException(LogErrorCode.INVALID_REQUEST, "max bytes must be positive, not " + maxBytes);
        }
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.read(tx -> {
            PartitionOffsets offsets = readOffsets(tx, keys, tenant, topicId, partition);
            checkInRange(fromOffset, offsets, topicId, partition);
            List<byte[]> batches = new ArrayList<>();
            if (fromOffset == offsets.highWatermark()) {
                return new FetchResult(batches, offsets.logStartOffset(), offsets.highWatermark());
            }
            // A compacted log may have no batch at or before fromOffset (its first records were
            // removed and the batch now starts later), or one that ends before it: readBatches
            // then starts at the next batch.
            long firstBase = baseOfLastBatchAtOrBefore(tx, keys, fromOffset);
            readBatches(tx, keys, firstBase >= 0 ? firstBase : fromOffset, offsets.highWatermark(), maxBytes, fromOffset,
                    batches);
            return new FetchResult(batches, offsets.logStartOffset(), offsets.highWatermark());
        });
    }

    /** The base offset of the last batch starting at or before {@code offset}, or -1: one reverse range read of one key. */
    private static long baseOfLastBatchAtOrBefore(ReadTransaction tx, PartitionKeys keys, long offset) {
        List<KeyValue> last = tx.getRange(keys.batchesBegin, keys.batchesFrom(offset + 1), 1, true).join();
        return last.isEmpty() ? -1 : keys.decodeChunk(last.get(0).key())[0];
    }

    /**
     * Reads batches starting at {@code firstBase}, reassembling chunks, within the byte budget. A
     * batch whose last offset is below {@code skipEndingBefore} is passed over (compaction removed
     * the records after it); only the first batch read can be one.
     */
    private static void readBatches(ReadTransaction tx, PartitionKeys keys, long firstBase, long highWatermark,
            int maxBytes, long skipEndingBefore, List<byte[]> out) {
        byte[] begin = keys.batchesFrom(firstBase);
        byte[] end = keys.batchesFrom(highWatermark);
        long total = 0;
        byte[] assembling = null;
        int filled = 0;
        long assemblingBase = -1;
        int expectedChunk = 0;
        long skippedBase = -1;
        int page = 4;
        while (true) {
            List<KeyValue> kvs = tx.getRange(begin, end, page, false).join();
            for (KeyValue kv : kvs) {
                long[] id = keys.decodeChunk(kv.key());
                byte[] value = kv.value();
                if (id[0] == skippedBase) {
                    continue;
                }
                if (id[1] == 0) {
                    long size = RecordBatch.declaredSize(value, 0);
                    if (size < value.length || value.length < RecordBatch.HEADER_BYTES) {
                        throw new IllegalStateException("stored batch at " + id[0] + " is damaged: first chunk of "
                                + value.length + " bytes, declared size " + size);
                    }
                    if (lastOffsetOf(id[0], value) < skipEndingBefore) {
                        skippedBase = id[0];
                        continue;
                    }
                    if (!out.isEmpty() && total + size > maxBytes) {
                        return;
                    }
                    if (size == value.length) {
                        out.add(value);
                        total += size;
                    } else {
                        assembling = new byte[(int) size];
                        System.arraycopy(value, 0, assembling, 0, value.length);
                        filled = value.length;
                        assemblingBase = id[0];
                        expectedChunk = 1;
                    }
                } else {
                    if (assembling == null || id[0] != assemblingBase || id[1] != expectedChunk
                            || filled + value.length > assembling.length) {
                        throw new IllegalStateException("stored batch at " + id[0] + " has an unexpected chunk " + id[1]);
                    }
                    System.arraycopy(value, 0, assembling, filled, value.length);
                    filled += value.length;
                    expectedChunk++;
                    if (filled == assembling.length) {
                        out.add(assembling);
                        total += assembling.length;
                        assembling = null;
                    }
                }
                if (assembling == null && total >= maxBytes) {
                    return;
                }
            }
            if (kvs.size() < page) {
                if (assembling != null) {
                    throw new IllegalStateException("stored batch at " + assemblingBase + " is missing chunks");
                }
                return;
            }
            begin = Keys.keyAfter(kvs.get(kvs.size() - 1).key());
            page = Math.min(page * 2, MAX_FETCH_PAGE);
        }
    }

    /** Log start offset and high watermark; UNKNOWN_TOPIC / UNKNOWN_PARTITION as appropriate. */
    public PartitionOffsets offsets(String tenant, TopicId topicId, int partition) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.read(tx -> readOffsets(tx, keys, tenant, topicId, partition));
    }

    private static PartitionOffsets readOffsets(ReadTransaction tx, PartitionKeys keys, String tenant, TopicId topicId,
            int partition) {
        CompletableFuture<byte[]> startRead = tx.get(keys.logStart);
        CompletableFuture<byte[]> tailRead = tx.get(keys.tail);
        requirePartition(tx, tenant, topicId, partition);
        return new PartitionOffsets(decodeLong(startRead.join(), 0), Tail.decode(tailRead.join()).nextOffset);
    }

    /**
     * The earliest record whose timestamp is at least {@code timestamp} (Kafka's ListOffsets
     * semantics; timestamps need not increase with offsets), or empty if no record has one that
     * late.
     *
     * <p>The time index holds one entry (runningMax, baseOffset) for each batch that raised the
     * partition's running max timestamp, so the first entry with runningMax &gt;= T names the first
     * batch whose max timestamp reached T when it was appended: every record before that batch is
     * earlier than T. Retention and compaction only remove records, which keeps that true; the
     * answer is therefore the first record with timestamp &gt;= T from the entry's batch on. Without
     * compaction it is in that batch (one range read of limit 1, one batch read, one scan inside
     * it); after compaction removed it, later batches are examined by their headers until one holds
     * such a record. An entry below the log start (the sentinel retention may keep) means: examine
     * from the log start.
     */
    public Optional<TimestampOffset> offsetForTimestamp(String tenant, TopicId topicId, int partition, long timestamp) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.read(tx -> {
            PartitionOffsets offsets = readOffsets(tx, keys, tenant, topicId, partition);
            List<KeyValue> entry = tx.getRange(keys.indexFrom(timestamp), keys.indexEnd, 1, false).join();
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            long base = keys.decodeIndex(entry.get(0).key())[1];
            return firstRecordAtOrAfter(tx, keys, Math.max(base, offsets.logStartOffset()), offsets.highWatermark(),
                    timestamp);
        });
    }

    /**
     * The first record with timestamp &gt;= T in the batches whose base offsets are in [from, high
     * watermark): each batch's max timestamp is read from its header (first chunk), and only a batch
     * that reaches T is read whole.
     */
    private static Optional<TimestampOffset> firstRecordAtOrAfter(ReadTransaction tx, PartitionKeys keys, long from,
            long highWatermark, long timestamp) {
        byte[] begin = keys.batchesFrom(from);
        byte[] end = keys.batchesFrom(highWatermark);
        while (true) {
            List<KeyValue> next = tx.getRange(begin, end, 1, false).join();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            long[] id = keys.decodeChunk(next.get(0).key());
            byte[] chunk0 = next.get(0).value();
            if (id[1] != 0 || chunk0.length < RecordBatch.HEADER_BYTES) {
                throw new IllegalStateException("stored batch at " + id[0] + " has no readable header at chunk " + id[1]);
            }
            if (maxTimestampOf(chunk0) >= timestamp) {
                return firstAtOrAfter(readBatchAt(tx, keys, id[0]), timestamp);
            }
            begin = keys.batchesFrom(lastOffsetOf(id[0], chunk0) + 1);
        }
    }

    private static RecordBatch readBatchAt(ReadTransaction tx, PartitionKeys keys, long base) {
        List<byte[]> one = new ArrayList<>(1);
        readBatches(tx, keys, base, Long.MAX_VALUE, 1, Long.MIN_VALUE, one);
        RecordBatch batch = RecordBatch.parse(one.get(0));
        if (batch.baseOffset() != base) {
            throw new IllegalStateException("expected the batch at offset " + base + " but the batch there starts at "
                    + batch.baseOffset());
        }
        return batch;
    }

    // Header fields read from a stored batch's first chunk without parsing the batch (offsets and
    // big-endian encoding from docs/record-format.md), so that skipping a batch costs one key read.

    /** Base offset + last offset delta (header bytes 19-22). */
    private static long lastOffsetOf(long base, byte[] chunk0) {
        return base + ByteBuffer.wrap(chunk0).getInt(19);
    }

    /** The max timestamp (header bytes 31-38). */
    private static long maxTimestampOf(byte[] chunk0) {
        return ByteBuffer.wrap(chunk0).getLong(31);
    }

    private static Optional<TimestampOffset> firstAtOrAfter(RecordBatch batch, long timestamp) {
        for (Record r : batch) {
            if (r.timestamp() >= timestamp) {
                return Optional.of(new TimestampOffset(r.offset(), r.timestamp()));
            }
        }
        throw new IllegalStateException("batch at " + batch.baseOffset() + " has max timestamp " + batch.maxTimestamp()
                + " but no record at or after " + timestamp);
    }

    /**
     * Completes with the high watermark once it is above {@code offset} (at once if it already is),
     * built on a storage watch of the partition's tail key. Cancel the future, or bound it with
     * {@code orTimeout}, to give up: the watch is then released. Fails with UNKNOWN_TOPIC /
     * UNKNOWN_PARTITION if the partition does not exist when checked. A topic deleted while
     * waiting is noticed at the next change of the key or when the caller's timeout ends the wait.
     */
    public CompletableFuture<Long> awaitHighWatermarkAbove(String tenant, TopicId topicId, int partition, long offset) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            checkPartitionNumber(partition);
        } catch (LogException e) {
            result.completeExceptionally(e);
            return result;
        }
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        checkAndWatch(keys, tenant, topicId, partition, offset, result);
        return result;
    }

    private void checkAndWatch(PartitionKeys keys, String tenant, TopicId topicId, int partition, long offset,
            CompletableFuture<Long> result) {
        if (result.isDone()) {
            return;
        }
        CompletableFuture<Void> watch;
        try (Transaction tx = store.createTransaction()) {
            PartitionOffsets offsets = readOffsets(tx, keys, tenant, topicId, partition);
            if (offsets.highWatermark() > offset) {
                result.complete(offsets.highWatermark());
                return;
            }
            watch = tx.watch(keys.tail);
            tx.commit().join();
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e);
            return;
        }
        // Giving up (cancel, timeout) releases the watch.
        result.whenComplete((v, e) -> watch.cancel(false));
        watch.whenCompleteAsync((v, e) -> {
            if (result.isDone()) {
                return;
            }
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            } else {
                checkAndWatch(keys, tenant, topicId, partition, offset, result);
            }
        }, continuations);
    }

    /** The partition's current leader epoch (0 until ownership first advances it). */
    public long leaderEpoch(String tenant, TopicId topicId, int partition) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.read(tx -> {
            CompletableFuture<byte[]> epoch = tx.get(keys.leaderEpoch);
            requirePartition(tx, tenant, topicId, partition);
            return decodeLong(epoch.join(), 0);
        });
    }

    /**
     * Raises the partition's leader epoch by one and returns the new value: every append still
     * carrying an older epoch fails from then on. The hook the ownership protocol builds on.
     */
    public long advanceLeaderEpoch(String tenant, TopicId topicId, int partition) {
        checkPartitionNumber(partition);
        PartitionKeys keys = LogKeySpace.partition(tenant, topicId.toBytes(), partition);
        return store.run(tx -> {
            CompletableFuture<byte[]> epochRead = tx.get(keys.leaderEpoch);
            requirePartition(tx, tenant, topicId, partition);
            long next = decodeLong(epochRead.join(), 0) + 1;
            tx.set(keys.leaderEpoch, encodeLong(next));
            return next;
        });
    }

    private static TopicMetadata requirePartition(ReadTransaction tx, String tenant, TopicId topicId, int partition) {
        TopicMetadata topic = TopicStore.readById(tx, tenant, topicId);
        if (topic == null) {
            throw new LogException(LogErrorCode.UNKNOWN_TOPIC, "no topic with id " + topicId + " in tenant '" + tenant + "'");
        }
        if (partition >= topic.partitions()) {
            throw new LogException(LogErrorCode.UNKNOWN_PARTITION, "topic '" + topic.name() + "' has partitions 0.."
                    + (topic.partitions() - 1) + ", not " + partition);
        }
        return topic;
    }

    private static void checkPartitionNumber(int partition) {
        if (partition < 0) {
            throw new LogException(LogErrorCode.UNKNOWN_PARTITION, "partition numbers are not negative: " + partition);
        }
    }

    private static void checkInRange(long offset, PartitionOffsets range, TopicId topicId, int partition) {
        if (offset < range.logStartOffset() || offset > range.highWatermark()) {
            throw new LogException(LogErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " is outside the valid range ["
                    + range.logStartOffset() + ", " + range.highWatermark() + "] of partition " + partition + " of topic "
                    + topicId);
        }
    }

    static long decodeLong(byte[] value, long absent) {
        if (value == null) {
            return absent;
        }
        if (value.length != 8) {
            throw new IllegalStateException("expected an 8-byte counter, found " + value.length + " bytes");
        }
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] encodeLong(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** The partition's tail value: next offset and running max timestamp (16 bytes little-endian). */
    private record Tail(long nextOffset, boolean hasTimestamp, long maxTimestamp) {
        static Tail decode(byte[] value) {
            if (value == null) {
                return new Tail(0, false, Long.MIN_VALUE);
            }
            if (value.length != 16) {
                throw new IllegalStateException("partition tail of " + value.length + " bytes, expected 16");
            }
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            return new Tail(b.getLong(), true, b.getLong());
        }

        byte[] encode() {
            return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(nextOffset).putLong(maxTimestamp).array();
        }
    }
}
