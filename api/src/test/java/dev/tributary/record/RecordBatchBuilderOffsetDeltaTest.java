package dev.tributary.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches with gaps in their offset deltas, as compaction writes them through the builder. */
class RecordBatchBuilderOffsetDeltaTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void explicitDeltasLeaveGapsThatParseAndIterateWithTheirOffsets() {
        for (CompressionCodec codec : CompressionCodec.values()) {
            if (!codec.supported()) {
                continue;
            }
            List<RecordHeader> headers = List.of(new RecordHeader("h", bytes("x")), new RecordHeader("n", null));
            byte[] built = RecordBatch.builder().compression(codec)
                    .appendWithOffsetDelta(0, 1_000, bytes("a"), bytes("1"), List.of())
                    .appendWithOffsetDelta(3, 900, bytes("b"), null, headers)
                    .appendWithOffsetDelta(7, 1_200, null, bytes("3"), List.of())
                    .build();
            RecordBatch.setBaseOffset(built, 40);
            RecordBatch batch = RecordBatch.parse(built);

            assertEquals(codec, batch.compression());
            assertEquals(3, batch.recordCount());
            assertEquals(7, batch.lastOffsetDelta());
            assertEquals(47, batch.lastOffset());
            assertFalse(batch.hasDenseOffsets(), "gaps are not dense");
            assertEquals(1_200, batch.maxTimestamp());
            List<Record> records = batch.records();
            assertEquals(List.of(40L, 43L, 47L), records.stream().map(Record::offset).toList());
            assertEquals(List.of(1_000L, 900L, 1_200L), records.stream().map(Record::timestamp).toList());
            assertArrayEquals(bytes("b"), records.get(1).key());
            assertNull(records.get(1).value(), "a tombstone stays a tombstone");
            assertEquals(headers, records.get(1).headers());
            assertNull(records.get(2).key());
        }
    }

    @Test
    void appendAfterAnExplicitDeltaContinuesFromIt() {
        RecordBatch batch = RecordBatch.parse(RecordBatch.builder()
                .appendWithOffsetDelta(0, 1, bytes("a"), bytes("1"), List.of())
                .appendWithOffsetDelta(5, 1, bytes("b"), bytes("2"), List.of())
                .append(1, bytes("c"), bytes("3"))
                .build());
        assertEquals(List.of(0L, 5L, 6L), batch.records().stream().map(Record::offset).toList());
        assertEquals(6, batch.lastOffsetDelta());
    }

    @Test
    void plainAppendsStayDense() {
        RecordBatch batch = RecordBatch.parse(RecordBatch.builder().append(1, null, bytes("a")).append(2, null, bytes("b")).build());
        assertTrue(batch.hasDenseOffsets());
        assertEquals(1, batch.lastOffsetDelta());
    }

    @Test
    void theFirstDeltaMustBeZeroAndDeltasMustIncrease() {
        assertThrows(IllegalArgumentException.class,
                () -> RecordBatch.builder().appendWithOffsetDelta(1, 1, bytes("a"), bytes("1"), List.of()));
        RecordBatchBuilder builder = RecordBatch.builder().appendWithOffsetDelta(0, 1, bytes("a"), bytes("1"), List.of())
                .appendWithOffsetDelta(4, 1, bytes("b"), bytes("2"), List.of());
        assertThrows(IllegalArgumentException.class, () -> builder.appendWithOffsetDelta(4, 1, bytes("c"), bytes("3"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> builder.appendWithOffsetDelta(2, 1, bytes("c"), bytes("3"), List.of()));
        // A refused record leaves the builder as it was.
        assertEquals(2, RecordBatch.parse(builder.build()).recordCount());
    }
}
