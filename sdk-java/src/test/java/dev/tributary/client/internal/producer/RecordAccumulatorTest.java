package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.producer.ProducerBatch.PendingRecord;
import dev.tributary.client.internal.producer.RecordAccumulator.AppendResult;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batching, linger, request limits, in-flight limits, retry order, expiry and back-pressure, without a server. */
class RecordAccumulatorTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private static RecordAccumulator accumulator(Map<String, Object> settings) {
        ProducerConfig.Builder builder = ProducerConfig.builder();
        settings.forEach(builder::set);
        return new RecordAccumulator(ProducerSettings.of(builder.build()));
    }

    private static PendingRecord pending() {
        return new PendingRecord(new CompletableFuture<>(), null, 0, 0, 0);
    }

    private static AppendResult append(RecordAccumulator acc, TopicPartition tp, long now, String value) throws InterruptedException {
        return append(acc, tp, now, value, pending());
    }

    private static AppendResult append(RecordAccumulator acc, TopicPartition tp, long now, String value, PendingRecord pending)
            throws InterruptedException {
        return acc.append(tp, 1_000, null, value.getBytes(StandardCharsets.UTF_8), List.of(), pending, now, 0, false);
    }

    private static List<ProducerBatch> drain(RecordAccumulator acc, TopicPartition tp, long now, long maxBytes) {
        List<RecordAccumulator.Unencodable> bad = new ArrayList<>();
        List<ProducerBatch> batches = acc.drain(tp, now, maxBytes, bad);
        assertEquals(List.of(), bad);
        return batches;
    }

    private static List<String> values(ProducerBatch batch) {
        List<String> values = new ArrayList<>();
        for (Record r : RecordBatch.parse(batch.encoded())) {
            values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void recordsWaitForLingerThenGoAsOneBatchInSendOrder() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 100, "batch.size", 4096));
        long t0 = 1_000 * MS;
        assertEquals(AppendResult.NEW_BATCH, append(acc, P0, t0, "a"));
        assertEquals(AppendResult.APPENDED, append(acc, P0, t0 + MS, "b"));
        assertEquals(AppendResult.APPENDED, append(acc, P0, t0 + 2 * MS, "c"));

        RecordAccumulator.Ready early = acc.ready(t0 + 50 * MS);
        assertEquals(List.of(), early.partitions(), "lingering");
        assertEquals(50 * MS, early.nextCheckDelayNanos(), "the sender sleeps until the linger ends");
        assertEquals(List.of(), drain(acc, P0, t0 + 50 * MS, Long.MAX_VALUE));

        assertEquals(List.of(P0), acc.ready(t0 + 100 * MS).partitions());
        List<ProducerBatch> batches = drain(acc, P0, t0 + 100 * MS, Long.MAX_VALUE);
        assertEquals(1, batches.size());
        assertEquals(List.of("a", "b", "c"), values(batches.get(0)));
        assertEquals(batches.get(0).sizeInBytes(), batches.get(0).encoded().length, "uncompressed: the size predicted is the size built");
        assertFalse(acc.hasQueuedBatches());
    }

    @Test
    void drainKeepsWithinABudgetOfUncompressedBytes() throws Exception {
        // Compressed batches: small on the wire, but the server bounds a request's records before compression.
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 1024, "compression.type", "zstd"));
        String value = "z".repeat(200);
        for (int i = 0; i < 20; i++) {
            append(acc, P0, 0, value);
        }
        List<RecordAccumulator.Unencodable> bad = new ArrayList<>();
        List<ProducerBatch> none = acc.drain(P0, 0, Long.MAX_VALUE, 100, bad);
        assertEquals(List.of(), none, "not even the first batch fits 100 bytes");
        List<ProducerBatch> two = acc.drain(P0, 0, Long.MAX_VALUE, 2_500, bad);
        assertEquals(2, two.size(), "two batches of at most 1024 bytes each before compression fit 2500, three do not");
        assertTrue(two.get(0).sizeInBytes() + two.get(1).sizeInBytes() <= 2_500);
        assertTrue(two.get(0).encoded().length < two.get(0).sizeInBytes() / 4, "compressed well below its size");
        List<ProducerBatch> rest = acc.drain(P0, 0, Long.MAX_VALUE, Long.MAX_VALUE, bad);
        assertTrue(rest.size() >= 2, "the rest in the next request: " + rest.size());
        assertEquals(List.of(), bad);
    }

    @Test
    void lingerZeroSendsAtOnce() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0));
        append(acc, P0, 0, "x");
        assertEquals(List.of(P0), acc.ready(0).partitions());
    }

    @Test
    void fullBatchesAreSendableBeforeTheLingerAndNeverExceedBatchSize() throws Exception {
        int batchSize = 1024;
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 60_000, "batch.size", batchSize));
        String value = "v".repeat(100);
        int newBatches = 0;
        for (int i = 0; i < 50; i++) {
            if (append(acc, P0, 0, value + i) == AppendResult.NEW_BATCH) {
                newBatches++;
            }
        }
        assertTrue(newBatches > 4, "50 records of ~110 bytes need several 1 KiB batches: " + newBatches);
        // Every batch but the open last one is closed and sendable although the linger is far away.
        List<ProducerBatch> sent = drain(acc, P0, 1, Long.MAX_VALUE);
        assertEquals(newBatches - 1, sent.size());
        List<String> all = new ArrayList<>();
        for (ProducerBatch b : sent) {
            assertTrue(b.encoded().length <= batchSize, "batch of " + b.encoded().length);
            assertTrue(b.encoded().length > batchSize - 120, "filled until the next record did not fit: " + b.encoded().length);
            all.addAll(values(b));
        }
        acc.requestCompleted(P0);
        // The last batch is still lingering; a flush makes it sendable.
        assertEquals(List.of(), acc.ready(2).partitions());
        acc.beginFlush();
        List<ProducerBatch> rest = drain(acc, P0, 2, Long.MAX_VALUE);
        acc.endFlush();
        assertEquals(1, rest.size());
        all.addAll(values(rest.get(0)));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(value + i);
        }
        assertEquals(expected, all, "every record once, in send order");
    }

    @Test
    void drainStopsAtTheByteLimitButAlwaysChecksTheFirstBatch() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 1024));
        for (int i = 0; i < 40; i++) {
            append(acc, P0, 0, "v".repeat(100));
        }
        ProducerBatch firstAlone = drain(acc, P0, 0, 1500).get(0);
        acc.requestCompleted(P0);
        assertEquals(List.of(), drain(acc, P0, 0, 100), "a first batch larger than the room is left for the next request");
        List<ProducerBatch> two = drain(acc, P0, 0, 2 * 1024);
        assertEquals(2, two.size());
        assertTrue(two.get(0).sequence > firstAlone.sequence && two.get(1).sequence > two.get(0).sequence);
    }

    @Test
    void inFlightLimitHoldsThePartitionBackButNotOthers() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "max.in.flight.requests.per.partition", 1));
        append(acc, P0, 0, "a");
        append(acc, P1, 0, "b");
        assertEquals(1, drain(acc, P0, 0, Long.MAX_VALUE).size());
        append(acc, P0, 0, "c");
        assertEquals(List.of(P1), acc.ready(0).partitions(), "P0 has its one request in flight");
        assertEquals(List.of(), drain(acc, P0, 0, Long.MAX_VALUE));
        acc.requestCompleted(P0);
        assertTrue(acc.ready(0).partitions().contains(P0));
    }

    @Test
    void retriedBatchesGoBackInOrderAndWaitForTheirBackoff() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 200, "max.in.flight.requests.per.partition", 5));
        for (int i = 0; i < 6; i++) {
            append(acc, P0, 0, "record-" + i + "-" + "x".repeat(80));
        }
        ProducerBatch first = drain(acc, P0, 0, 200).get(0);
        ProducerBatch second = drain(acc, P0, 0, 200).get(0);
        // Answers may come back in any order; the queue is kept in creation order.
        second.attempts = 1;
        second.retryAtNanos = 10 * MS;
        acc.requestCompleted(P0);
        acc.reenqueue(second);
        first.attempts = 1;
        first.retryAtNanos = 10 * MS;
        acc.requestCompleted(P0);
        acc.reenqueue(first);

        RecordAccumulator.Ready backingOff = acc.ready(5 * MS);
        assertEquals(List.of(), backingOff.partitions(), "the head waits for its backoff, and so does the partition");
        assertEquals(5 * MS, backingOff.nextCheckDelayNanos());
        List<ProducerBatch> resent = drain(acc, P0, 10 * MS, Long.MAX_VALUE);
        assertTrue(resent.size() >= 3);
        assertEquals(first, resent.get(0));
        assertEquals(second, resent.get(1));
        for (int i = 1; i < resent.size(); i++) {
            assertTrue(resent.get(i).sequence > resent.get(i - 1).sequence);
        }
    }

    @Test
    void batchesPastTheirDeliveryDeadlineExpire() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 1_000, "delivery.timeout.ms", 2_000));
        append(acc, P0, 0, "old");
        append(acc, P1, 1_500 * MS, "young");
        assertEquals(List.of(), acc.expire(1_999 * MS));
        List<ProducerBatch> expired = acc.expire(2_000 * MS);
        assertEquals(1, expired.size());
        assertEquals(P0, expired.get(0).partition);
        assertTrue(acc.hasQueuedBatches(), "P1's batch has time left");
    }

    @Test
    void recordsThatCanNeverBeSentFailAtOnceNamingTheLimit() {
        RecordAccumulator small = accumulator(Map.of("batch.size", 1024));
        TributaryException e = assertThrows(TributaryException.class,
                () -> small.append(P0, 0, null, new byte[2000], List.of(), pending(), 0, 0, false));
        assertEquals("RECORD_TOO_LARGE", e.code());
        assertTrue(e.getMessage().contains("batch.size (1024 bytes)"), e.getMessage());
        assertTrue(e.getMessage().contains("2066 bytes"), "57-byte header, 5 one-byte fields, 2-byte value and record lengths, 2000: "
                + e.getMessage());

        RecordAccumulator request = accumulator(Map.of("batch.size", 65536, "max.request.size", 4096));
        e = assertThrows(TributaryException.class, () -> request.append(P0, 0, null, new byte[5000], List.of(), pending(), 0, 0, false));
        assertEquals("RECORD_TOO_LARGE", e.code());
        assertTrue(e.getMessage().contains("max.request.size (4096 bytes)"), e.getMessage());

        RecordAccumulator memory = accumulator(Map.of("batch.size", 65536, "buffer.memory", 2048));
        e = assertThrows(TributaryException.class, () -> memory.append(P0, 0, null, new byte[3000], List.of(), pending(), 0, 0, false));
        assertTrue(e.getMessage().contains("buffer.memory (2048 bytes)"), e.getMessage());
        assertEquals(2048, memory.availableMemory(), "nothing reserved");
    }

    @Test
    void fullBufferBlocksForMaxBlockThenFailsBufferExhausted() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 1024, "buffer.memory", 4096, "max.block.ms", 300));
        int appended = 0;
        long started = System.nanoTime();
        TributaryException e = null;
        while (e == null) {
            try {
                append(acc, P0, 0, "v".repeat(400));
                appended++;
            } catch (TributaryException failure) {
                e = failure;
            }
        }
        long blockedMs = (System.nanoTime() - started) / MS;
        assertEquals(TributaryException.BUFFER_EXHAUSTED, e.code());
        assertTrue(appended >= 8 && appended <= 10, "4 KiB holds about nine 400-byte records: " + appended);
        assertTrue(blockedMs >= 290 && blockedMs < 5_000, "blocked for max.block.ms: " + blockedMs);
        assertTrue(acc.availableMemory() < 500);
    }

    @Test
    void aBlockedSendProceedsAsSoonAsABatchCompletes() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 1024, "buffer.memory", 2048, "max.block.ms", 30_000));
        PendingRecord firstRecord = pending();
        append(acc, P0, 0, "v".repeat(900), firstRecord);
        append(acc, P0, 0, "v".repeat(900));
        Future<AppendResult> blocked = threads.submit(() -> append(acc, P1, 0, "v".repeat(900)));
        Thread.sleep(200);
        assertFalse(blocked.isDone(), "buffer.memory is spent");

        List<ProducerBatch> sent = drain(acc, P0, 0, 1024);
        assertEquals(1, sent.size());
        ProducerBatch batch = sent.get(0);
        batch.complete(41, 7);
        acc.deallocate(batch);
        long released = System.nanoTime();
        assertEquals(AppendResult.NEW_BATCH, blocked.get(5, TimeUnit.SECONDS));
        assertTrue((System.nanoTime() - released) / MS < 2_000);
        RecordMetadata md = firstRecord.future().get();
        assertEquals(41, md.offset());
        assertEquals(7, md.logAppendTime());
    }

    @Test
    void closingFailsBlockedAndLaterAppendsWithClosed() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "batch.size", 1024, "buffer.memory", 1024, "max.block.ms", 30_000));
        append(acc, P0, 0, "v".repeat(900));
        Future<AppendResult> blocked = threads.submit(() -> append(acc, P0, 0, "v".repeat(900)));
        Thread.sleep(100);
        acc.close();
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> blocked.get(5, TimeUnit.SECONDS));
        assertEquals(TributaryException.CLOSED, ((TributaryException) failure.getCause()).code());
        TributaryException later = assertThrows(TributaryException.class, () -> append(acc, P1, 0, "x"));
        assertEquals(TributaryException.CLOSED, later.code());
        assertEquals(1, acc.drainAll().size());
    }

    @Test
    void askingForANewBatchReservesNothing() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 1000, "buffer.memory", 100_000));
        assertEquals(AppendResult.NEEDS_NEW_BATCH,
                acc.append(P0, 0, null, new byte[10], List.of(), pending(), 0, 0, true));
        assertEquals(100_000, acc.availableMemory());
        assertFalse(acc.hasQueuedBatches());
        append(acc, P0, 0, "x");
        assertEquals(AppendResult.APPENDED, acc.append(P0, 0, null, new byte[10], List.of(), pending(), 0, 0, true),
                "an open batch takes it even when asked to report new batches");
    }

    @Test
    void memoryIsAccountedExactlyAndReturnedOnCompletion() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "buffer.memory", 100_000));
        for (int i = 0; i < 10; i++) {
            append(acc, P0, 0, "value-" + i);
        }
        List<ProducerBatch> batches = drain(acc, P0, 0, Long.MAX_VALUE);
        assertEquals(1, batches.size());
        assertEquals(100_000 - batches.get(0).sizeInBytes(), acc.availableMemory(), "reserved = the batch's bytes");
        batches.get(0).fail(new TributaryException("X", "test"));
        acc.deallocate(batches.get(0));
        acc.deallocate(batches.get(0));
        assertEquals(100_000, acc.availableMemory(), "returned once");
    }

    @Test
    void splitHalvesKeepTheRecordsTheirOrderAndTheirFutures() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "buffer.memory", 100_000));
        List<PendingRecord> records = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            PendingRecord r = new PendingRecord(new CompletableFuture<>(), null, 1_000, -1, 1);
            records.add(r);
            append(acc, P0, 0, Integer.toString(i), r);
        }
        ProducerBatch batch = drain(acc, P0, 0, Long.MAX_VALUE).get(0);
        acc.requestCompleted(P0);
        CompletableFuture<Void> flushWaitsOn = acc.incompleteBatches().get(0);
        List<ProducerBatch> halves = acc.splitAndReenqueue(batch);
        assertFalse(flushWaitsOn.isDone(), "the original completes only with both halves");
        List<ProducerBatch> resent = drain(acc, P0, 0, Long.MAX_VALUE);
        assertEquals(halves, resent, "both halves, first half first");
        assertEquals(List.of("0", "1", "2", "3"), values(resent.get(0)));
        assertEquals(List.of("4", "5", "6", "7", "8"), values(resent.get(1)));
        resent.get(0).complete(100, 5);
        resent.get(1).complete(200, 6);
        resent.forEach(acc::deallocate);
        assertTrue(flushWaitsOn.isDone());
        assertEquals(100_000, acc.availableMemory());
        assertEquals(103, records.get(3).future().get().offset());
        assertEquals(200, records.get(4).future().get().offset());
        assertEquals(204, records.get(8).future().get().offset());
        assertEquals(P0, records.get(8).future().get().topicPartition());
    }

    @Test
    void acksNoneLeavesOffsetsUnknown() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0));
        PendingRecord r = new PendingRecord(new CompletableFuture<>(), null, 1_000, 3, 4);
        append(acc, P0, 0, "x", r);
        ProducerBatch batch = drain(acc, P0, 0, Long.MAX_VALUE).get(0);
        batch.complete(-1, -1);
        RecordMetadata md = r.future().get();
        assertEquals(-1, md.offset());
        assertFalse(md.hasOffset());
        assertEquals(3, md.serializedKeySize());
        assertEquals(4, md.serializedValueSize());
        assertArrayEquals(new byte[] {'x'}, RecordBatch.parse(batch.encoded()).records().get(0).value());
    }

    @Test
    void compressedBatchesAreSmallerAndReadBack() throws Exception {
        for (String codec : List.of("lz4", "zstd")) {
            RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "compression.type", codec));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String value = "{\"order\":" + i + ",\"status\":\"shipped\",\"warehouse\":\"north\"}";
                sent.add(value);
                append(acc, P0, 0, value);
            }
            ProducerBatch batch = drain(acc, P0, 0, Long.MAX_VALUE).get(0);
            assertTrue(batch.encoded().length * 3 < batch.sizeInBytes(),
                    codec + ": repetitive records compress well: " + batch.encoded().length + " of " + batch.sizeInBytes());
            assertEquals(codec.toUpperCase(java.util.Locale.ROOT), RecordBatch.parse(batch.encoded()).compression().name());
            assertEquals(sent, values(batch));
        }
    }

    @Test
    void splittingAHalfAgainKeepsItBeforeTheOtherHalf() throws Exception {
        RecordAccumulator acc = accumulator(Map.of("linger.ms", 0, "buffer.memory", 100_000));
        for (int i = 0; i < 8; i++) {
            append(acc, P0, 0, Integer.toString(i));
        }
        ProducerBatch all = drain(acc, P0, 0, Long.MAX_VALUE).get(0);
        acc.requestCompleted(P0);
        List<ProducerBatch> halves = acc.splitAndReenqueue(all);
        // Only the first half fits the next request; the second waits in the queue.
        ProducerBatch first = drain(acc, P0, 0, halves.get(0).encoded().length).get(0);
        assertEquals(halves.get(0), first);
        acc.requestCompleted(P0);
        acc.splitAndReenqueue(first);
        List<String> order = new ArrayList<>();
        for (ProducerBatch b : drain(acc, P0, 0, Long.MAX_VALUE)) {
            order.addAll(values(b));
        }
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7"), order);
    }
}
