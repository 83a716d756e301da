package dev.tributary.record;

import static dev.tributary.record.RecordBatchTestSupport.b;
import static dev.tributary.record.RecordBatchTestSupport.parseExpectingOnlyInvalid;
import static dev.tributary.record.RecordBatchTestSupport.reasonOf;
import static dev.tributary.record.RecordBatchTestSupport.recrc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.record.InvalidRecordBatchException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

    private static byte[] sample() {
        return RecordBatch.builder()
                .append(1_000, b("k1"), b("v1"))
                .append(990, null, b("no key"), List.of(new RecordHeader("h", b("x")), new RecordHeader("é", null)))
                .append(1_500, b("k3"), null)
                .build();
    }

    /** Recomputes the CRC after a deliberate edit, so that the check after it is what fails. */
    @Test
    void roundTripKeepsEveryField() {
        RecordBatch batch = RecordBatch.parse(sample());
        assertEquals(0, batch.baseOffset());
        assertEquals(3, batch.recordCount());
        assertEquals(2, batch.lastOffsetDelta());
        assertEquals(1_000, batch.baseTimestamp());
        assertEquals(1_500, batch.maxTimestamp());
        assertEquals(CompressionCodec.NONE, batch.compression());
        assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
        assertEquals(RecordBatch.NO_PRODUCER_EPOCH, batch.producerEpoch());
        assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
        assertTrue(batch.hasDenseOffsets());
        List<Record> records = batch.records();
        assertEquals(new Record(0, 1_000, b("k1"), b("v1"), List.of()), records.get(0));
        assertEquals(new Record(1, 990, null, b("no key"),
                List.of(new RecordHeader("h", b("x")), new RecordHeader("é", null))), records.get(1));
        assertEquals(new Record(2, 1_500, b("k3"), null, List.of()), records.get(2));
    }

    @Test
    void emptyKeysAndValuesDifferFromNull() {
        RecordBatch batch = RecordBatch.parse(RecordBatch.builder().append(5, new byte[0], new byte[0]).build());
        Record r = batch.records().get(0);
        assertArrayEquals(new byte[0], r.key());
        assertArrayEquals(new byte[0], r.value());
    }

    @Test
    void producerStateRoundTrips() {
        byte[] bytes = RecordBatch.builder().producer(42, (short) 7, 1000).append(1, null, b("v")).build();
        RecordBatch batch = RecordBatch.parse(bytes);
        assertEquals(42, batch.producerId());
        assertEquals(7, batch.producerEpoch());
        assertEquals(1000, batch.baseSequence());
    }

    @Test
    void extremeValuesRoundTrip() {
        SplittableRandom random = new SplittableRandom(7);
        RecordBatchBuilder builder = RecordBatch.builder();
        List<byte[]> values = new ArrayList<>();
        long[] timestamps = {0, Long.MAX_VALUE / 2, 1, Long.MAX_VALUE / 2 - 1};
        for (int i = 0; i < 300; i++) {
            byte[] value = new byte[random.nextInt(0, 3000)];
            random.nextBytes(value);
            values.add(value);
            builder.append(timestamps[i % timestamps.length], ("key-" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        byte[] bytes = builder.build();
        assertEquals(bytes.length, builder.sizeInBytes());
        RecordBatch.setBaseOffset(bytes, Long.MAX_VALUE - 1000);
        RecordBatch batch = RecordBatch.parse(bytes);
        assertEquals(Long.MAX_VALUE / 2, batch.maxTimestamp());
        int i = 0;
        for (Record r : batch) {
            assertEquals(Long.MAX_VALUE - 1000 + i, r.offset());
            assertEquals(timestamps[i % timestamps.length], r.timestamp());
            assertArrayEquals(values.get(i), r.value());
            i++;
        }
        assertEquals(300, i);
    }

    @Test
    void varintsRoundTripAtTheirLimits() {
        long[] longs = {0, 1, -1, 63, -64, 64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
        byte[] buf = new byte[16];
        for (long v : longs) {
            int end = Varints.writeLong(buf, 0, v);
            assertEquals(Varints.sizeOfLong(v), end);
            assertEquals(v, new Varints.Cursor(buf, 0, end).readLong("x"));
        }
        int[] ints = {0, 1, -1, 63, -64, 64, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (int v : ints) {
            int end = Varints.writeInt(buf, 0, v);
            assertEquals(Varints.sizeOfInt(v), end);
            assertEquals(v, new Varints.Cursor(buf, 0, end).readInt("x"));
        }
    }

    @Test
    void settingTheBaseOffsetKeepsTheCrcValid() {
        byte[] bytes = sample();
        long crcBefore = RecordBatch.parse(bytes).crc();
        RecordBatch.setBaseOffset(bytes, 123_456_789L);
        RecordBatch batch = RecordBatch.parse(bytes);
        assertEquals(123_456_789L, batch.baseOffset());
        assertEquals(123_456_791L, batch.lastOffset());
        assertEquals(crcBefore, batch.crc());
        assertEquals(123_456_790L, batch.records().get(1).offset());
    }

    @Test
    void parsesABatchInsideALargerArray() {
        byte[] one = sample();
        byte[] both = new byte[one.length * 2 + 3];
        System.arraycopy(one, 0, both, 3, one.length);
        System.arraycopy(one, 0, both, 3 + one.length, one.length);
        RecordBatch.setBaseOffset(both, 3 + one.length, 3);
        assertEquals(one.length, RecordBatch.declaredSize(both, 3));
        RecordBatch second = RecordBatch.parse(both, 3 + one.length, one.length);
        assertEquals(3, second.baseOffset());
        assertEquals(3, second.records().get(0).offset());
        assertArrayEquals(Arrays.copyOfRange(both, 3 + one.length, both.length), second.toByteArray());
        assertEquals(-1, RecordBatch.declaredSize(new byte[11], 0));
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] bytes = sample();
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            InvalidRecordBatchException e = assertThrows(InvalidRecordBatchException.class, () -> RecordBatch.parse(cut));
            assertEquals(Reason.TRUNCATED, e.reason(), "length " + len);
        }
    }

    @Test
    void extraBytesAreRejected() {
        byte[] bytes = Arrays.copyOf(sample(), sample().length + 1);
        assertEquals(Reason.LENGTH_MISMATCH, reasonOf(bytes));
    }

    @Test
    void everyFlippedBitOutsideTheBaseOffsetIsRejected() {
        byte[] bytes = sample();
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupted = bytes.clone();
                corrupted[i] ^= (byte) (1 << bit);
                if (i < 8) {
                    RecordBatch.parse(corrupted); // the base offset is outside the CRC by design
                    continue;
                }
                InvalidRecordBatchException e = assertThrows(InvalidRecordBatchException.class,
                        () -> RecordBatch.parse(corrupted), "byte " + i + " bit " + bit);
                if (i >= RecordBatch.ATTRIBUTES_OFFSET) {
                    assertEquals(Reason.CRC_MISMATCH, e.reason(), "byte " + i + " bit " + bit);
                }
            }
        }
    }

    @Test
    void randomInputFailsOnlyWithInvalidRecordBatch() {
        SplittableRandom random = new SplittableRandom(20261123);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(0, 200)];
            random.nextBytes(junk);
            if (junk.length >= RecordBatch.HEADER_BYTES && random.nextBoolean()) {
                // Plausible framing so that the deeper checks are reached.
                RecordBatch.putInt(junk, RecordBatch.LENGTH_OFFSET, junk.length - RecordBatch.LOG_OVERHEAD);
                junk[RecordBatch.MAGIC_OFFSET] = RecordBatch.FORMAT_VERSION;
                RecordBatch.putShort(junk, RecordBatch.ATTRIBUTES_OFFSET, (short) 0);
                recrc(junk);
            }
            parseExpectingOnlyInvalid(junk);
        }
    }

    @Test
    void mutatedRecordsWithValidCrcFailOnlyWithInvalidRecordBatch() {
        SplittableRandom random = new SplittableRandom(99);
        byte[] original = sample();
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = original.clone();
            int edits = random.nextInt(1, 4);
            for (int e = 0; e < edits; e++) {
                mutated[random.nextInt(RecordBatch.ATTRIBUTES_OFFSET, mutated.length)] = (byte) random.nextInt(256);
            }
            parseExpectingOnlyInvalid(recrc(mutated));
        }
    }

    @Test
    void unsupportedFormatVersion() {
        byte[] bytes = sample();
        bytes[RecordBatch.MAGIC_OFFSET] = 2;
        assertEquals(Reason.UNSUPPORTED_FORMAT_VERSION, reasonOf(bytes));
    }

    @Test
    void unassignedCompressionCodecs() {
        for (int id = 3; id < 8; id++) {
            byte[] bytes = sample();
            RecordBatch.putShort(bytes, RecordBatch.ATTRIBUTES_OFFSET, (short) id);
            assertNull(CompressionCodec.fromId(id));
            assertEquals(Reason.UNSUPPORTED_COMPRESSION, reasonOf(recrc(bytes)), "codec " + id);
        }
    }

    @Test
    void reservedAttributeBits() {
        byte[] bytes = sample();
        RecordBatch.putShort(bytes, RecordBatch.ATTRIBUTES_OFFSET, (short) 0x10);
        assertEquals(Reason.INVALID_ATTRIBUTES, reasonOf(recrc(bytes)));
        byte[] record = sample();
        record[RecordBatch.HEADER_BYTES + 1] = 1; // first record's attributes byte (after a 1-byte length)
        assertEquals(Reason.INVALID_ATTRIBUTES, reasonOf(recrc(record)));
    }

    @Test
    void recordCountMustMatch() {
        byte[] more = sample();
        RecordBatch.putInt(more, RecordBatch.RECORD_COUNT_OFFSET, 4);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(recrc(more)));
        byte[] fewer = sample();
        RecordBatch.putInt(fewer, RecordBatch.RECORD_COUNT_OFFSET, 2);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(recrc(fewer)));
        byte[] zero = sample();
        RecordBatch.putInt(zero, RecordBatch.RECORD_COUNT_OFFSET, 0);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(recrc(zero)));
        byte[] huge = sample();
        RecordBatch.putInt(huge, RecordBatch.RECORD_COUNT_OFFSET, Integer.MAX_VALUE);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(recrc(huge)));
    }

    @Test
    void lastOffsetDeltaMustMatch() {
        byte[] bytes = sample();
        RecordBatch.putInt(bytes, RecordBatch.LAST_OFFSET_DELTA_OFFSET, 5);
        assertEquals(Reason.INVALID_OFFSET_DELTA, reasonOf(recrc(bytes)));
        byte[] small = sample();
        RecordBatch.putInt(small, RecordBatch.LAST_OFFSET_DELTA_OFFSET, 1);
        assertEquals(Reason.INVALID_OFFSET_DELTA, reasonOf(recrc(small)));
    }

    @Test
    void maxTimestampMustBeTheLargestRecordTimestamp() {
        byte[] bytes = sample();
        RecordBatch.putLong(bytes, RecordBatch.MAX_TIMESTAMP_OFFSET, 2_000);
        assertEquals(Reason.INVALID_TIMESTAMP, reasonOf(recrc(bytes)));
        byte[] overflow = RecordBatch.builder().append(0, null, b("a")).append(Long.MAX_VALUE, null, b("b")).build();
        RecordBatch.putLong(overflow, RecordBatch.BASE_TIMESTAMP_OFFSET, 10);
        assertEquals(Reason.INVALID_TIMESTAMP, reasonOf(recrc(overflow)));
    }

    @Test
    void producerStateMustBeAllOrNothing() {
        byte[] bytes = sample();
        RecordBatch.putLong(bytes, RecordBatch.PRODUCER_ID_OFFSET, 5);
        assertEquals(Reason.INVALID_PRODUCER_STATE, reasonOf(recrc(bytes)));
    }

    @Test
    void headerKeysMustBeUtf8() {
        byte[] bytes = RecordBatch.builder().append(1, null, null, List.of(new RecordHeader("k", null))).build();
        int at = indexOf(bytes, (byte) 'k');
        bytes[at] = (byte) 0xff;
        assertEquals(Reason.INVALID_HEADER_KEY, reasonOf(recrc(bytes)));
    }

    @Test
    void fieldLengthsMustFitTheRecord() {
        // Record layout for (ts 1, key "kk", value "vv"): len, attr, tsDelta, offDelta, keyLen, 'k','k', valLen, 'v','v', hdrCount
        byte[] bytes = RecordBatch.builder().append(1, b("kk"), b("vv")).build();
        int keyLen = RecordBatch.HEADER_BYTES + 4;
        byte[] tooLong = bytes.clone();
        tooLong[keyLen] = 40; // zigzag 20
        assertEquals(Reason.INVALID_FIELD_LENGTH, reasonOf(recrc(tooLong)));
        byte[] negative = bytes.clone();
        negative[keyLen] = 5; // zigzag -3
        assertEquals(Reason.INVALID_FIELD_LENGTH, reasonOf(recrc(negative)));
        byte[] recordLength = bytes.clone();
        recordLength[RecordBatch.HEADER_BYTES] = 1; // zigzag -1
        assertEquals(Reason.INVALID_RECORD_LENGTH, reasonOf(recrc(recordLength)));
        byte[] shorter = bytes.clone();
        shorter[RecordBatch.HEADER_BYTES] -= 2; // record claims one byte fewer: the header count lies outside
        assertTrue(Arrays.asList(Reason.MALFORMED_VARINT, Reason.INVALID_RECORD_LENGTH, Reason.INVALID_RECORD_COUNT)
                .contains(reasonOf(recrc(shorter))));
    }

    @Test
    void overlongVarintsAreRejected() {
        byte[] buf = new byte[12];
        Arrays.fill(buf, (byte) 0x80);
        assertEquals(Reason.MALFORMED_VARINT, assertThrows(InvalidRecordBatchException.class,
                () -> new Varints.Cursor(buf, 0, buf.length).readLong("x")).reason());
        assertEquals(Reason.MALFORMED_VARINT, assertThrows(InvalidRecordBatchException.class,
                () -> new Varints.Cursor(buf, 0, 3).readInt("x")).reason());
        byte[] tooBig = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        assertEquals(Reason.MALFORMED_VARINT, assertThrows(InvalidRecordBatchException.class,
                () -> new Varints.Cursor(tooBig, 0, tooBig.length).readInt("x")).reason());
    }

    @Test
    void builderRejectsMisuse() {
        assertThrows(IllegalStateException.class, () -> RecordBatch.builder().build());
        RecordBatchBuilder builder = RecordBatch.builder().append(1, null, null);
        builder.build();
        assertThrows(IllegalStateException.class, () -> builder.append(2, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> RecordBatch.builder().append(Long.MIN_VALUE, null, null).append(Long.MAX_VALUE, null, null));
        assertThrows(IllegalArgumentException.class, () -> RecordBatch.builder().producer(-1, (short) 0, 0));
    }

    @Test
    void nonDenseOffsetsAreReadableButReported() {
        // A batch whose middle record was removed (as compaction will do): deltas 0 and 2, last delta 2.
        byte[] full = RecordBatch.builder().append(1, b("a"), b("1")).append(2, b("b"), b("2")).append(3, b("c"), b("3")).build();
        RecordBatch parsed = RecordBatch.parse(full);
        assertTrue(parsed.hasDenseOffsets());
        // Build records 0 and 2 by hand from the encoded record bytes.
        int firstLen = 1 + (full[RecordBatch.HEADER_BYTES] >> 1);
        int secondLen = 1 + (full[RecordBatch.HEADER_BYTES + firstLen] >> 1);
        byte[] gap = new byte[full.length - secondLen];
        System.arraycopy(full, 0, gap, 0, RecordBatch.HEADER_BYTES + firstLen);
        System.arraycopy(full, RecordBatch.HEADER_BYTES + firstLen + secondLen, gap, RecordBatch.HEADER_BYTES + firstLen,
                full.length - RecordBatch.HEADER_BYTES - firstLen - secondLen);
        RecordBatch.putInt(gap, RecordBatch.LENGTH_OFFSET, gap.length - RecordBatch.LOG_OVERHEAD);
        RecordBatch.putInt(gap, RecordBatch.RECORD_COUNT_OFFSET, 2);
        RecordBatch batch = RecordBatch.parse(recrc(gap));
        assertFalse(batch.hasDenseOffsets());
        assertEquals(List.of(0L, 2L), batch.records().stream().map(Record::offset).toList());
        assertNull(CompressionCodec.fromId(7));
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = RecordBatch.HEADER_BYTES; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
