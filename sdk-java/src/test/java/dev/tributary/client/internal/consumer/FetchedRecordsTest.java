package dev.tributary.client.internal.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading fetched batches from a position: the first batch may start before it, batches may
 * have offset gaps (compaction) and may be compressed; records are chosen by offset.
 */
class FetchedRecordsTest {
    /** A stored batch at {@code base} holding records at base + each delta, values "v{offset}". */
    private static RecordBatch batch(long base, CompressionCodec codec, int... deltas) {
        RecordBatchBuilder b = RecordBatch.builder().compression(codec);
        for (int d : deltas) {
            b.appendWithOffsetDelta(d, 1000 + d, null, ("v" + (base + d)).getBytes(StandardCharsets.UTF_8), List.of());
        }
        byte[] bytes = b.build();
        RecordBatch.setBaseOffset(bytes, base);
        return RecordBatch.parse(bytes);
    }

    private static RecordBatch batch(long base, int... deltas) {
        return batch(base, CompressionCodec.NONE, deltas);
    }

    /** Reads everything from {@code position} on, as poll does; returns the offsets and the position reached. */
    private static List<Long> readFrom(FetchedRecords fetched, long position, long[] end) {
        List<Long> offsets = new ArrayList<>();
        Record r;
        while ((r = fetched.peek(position)) != null) {
            assertEquals("v" + r.offset(), new String(r.value(), StandardCharsets.UTF_8));
            offsets.add(r.offset());
            fetched.consumed();
            position = r.offset() + 1;
        }
        end[0] = Math.max(position, fetched.endOffset());
        return offsets;
    }

    @Test
    void recordsBelowThePositionInTheFirstBatchAreSkipped() {
        long[] end = new long[1];
        FetchedRecords fetched = new FetchedRecords(List.of(batch(10, 0, 1, 2, 3, 4), batch(15, 0, 1)));
        assertEquals(List.of(12L, 13L, 14L, 15L, 16L), readFrom(fetched, 12, end));
        assertEquals(17, end[0]);
    }

    @Test
    void peekingTwiceReturnsTheSameRecordUntilConsumed() {
        FetchedRecords fetched = new FetchedRecords(List.of(batch(0, 0, 1)));
        assertEquals(0, fetched.peek(0).offset());
        assertEquals(0, fetched.peek(0).offset());
        fetched.consumed();
        assertEquals(1, fetched.peek(1).offset());
        fetched.consumed();
        assertNull(fetched.peek(2));
    }

    @Test
    void offsetGapsLeftByCompactionAreCrossedByOffsetNotByCount() {
        long[] end = new long[1];
        // Batch 0 keeps offsets 0, 2, 5; batch 9 keeps 9, 10; the position 3 lies in a gap.
        FetchedRecords fetched = new FetchedRecords(List.of(batch(0, 0, 2, 5), batch(9, 0, 1)));
        assertEquals(List.of(5L, 9L, 10L), readFrom(fetched, 3, end));
        assertEquals(11, end[0]);

        // A first batch wholly below the position (it ends in a gap before it) is passed over.
        fetched = new FetchedRecords(List.of(batch(0, 0, 2, 5), batch(9, 0, 1)));
        assertEquals(List.of(9L, 10L), readFrom(fetched, 7, end));
    }

    @Test
    void aBatchWhoseRecordsAreAllBelowThePositionStillMovesItToItsEnd() {
        long[] end = new long[1];
        FetchedRecords fetched = new FetchedRecords(List.of(batch(0, 0, 1, 2)));
        assertEquals(List.of(), readFrom(fetched, 3, end));
        assertEquals(3, end[0]);
    }

    @Test
    void compressedBatchesReadTheSame() {
        long[] end = new long[1];
        FetchedRecords fetched = new FetchedRecords(List.of(batch(100, CompressionCodec.LZ4, 0, 1, 2, 3),
                batch(104, CompressionCodec.ZSTD, 0, 3)));
        assertEquals(List.of(102L, 103L, 104L, 107L), readFrom(fetched, 102, end));
        assertEquals(108, end[0]);
    }
}
