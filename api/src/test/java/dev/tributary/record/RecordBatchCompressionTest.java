package dev.tributary.record;

import static dev.tributary.record.RecordBatchTestSupport.b;
import static dev.tributary.record.RecordBatchTestSupport.parseExpectingOnlyInvalid;
import static dev.tributary.record.RecordBatchTestSupport.reasonOf;
import static dev.tributary.record.RecordBatchTestSupport.recrc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import dev.tributary.record.InvalidRecordBatchException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batches whose records section is compressed (LZ4, ZSTD): round trips, and every way to be wrong. */
class RecordBatchCompressionTest {
    private static final int SECTION = RecordBatch.HEADER_BYTES;
    private static final int PAYLOAD = SECTION + RecordsCompression.UNCOMPRESSED_LENGTH_BYTES;

    /** The same records as {@link RecordBatchTest}'s sample plus empty fields and producer state. */
    private static RecordBatchBuilder sample(CompressionCodec codec) {
        return RecordBatch.builder()
                .compression(codec)
                .producer(42, (short) 3, 7)
                .append(1_000, b("k1"), b("v1"))
                .append(990, null, b("no key"), List.of(new RecordHeader("h", b("x")), new RecordHeader("é", null)))
                .append(1_500, b("k3"), null)
                .append(1_200, new byte[0], new byte[0], List.of(new RecordHeader("", new byte[0])));
    }

    /**
     * Assembles a batch of {@code codec} from an arbitrary (possibly invalid) records section and
     * header: the records are compressed as the builder would, then length and CRC are set, so
     * that what fails is the check under test.
     */
    private static byte[] withCompressedRecords(byte[] header, byte[] records, CompressionCodec codec) {
        byte[] out = RecordsCompression.compress(codec, records, records.length, SECTION);
        System.arraycopy(header, 0, out, 0, SECTION);
        RecordBatch.putShort(out, RecordBatch.ATTRIBUTES_OFFSET, (short) codec.id());
        return withRawSection(out, Arrays.copyOfRange(out, SECTION, out.length));
    }

    /** {@code batch}'s header followed by {@code section} as its records section; length and CRC fixed. */
    private static byte[] withRawSection(byte[] batch, byte[] section) {
        byte[] out = Arrays.copyOf(batch, SECTION + section.length);
        System.arraycopy(section, 0, out, SECTION, section.length);
        RecordBatch.putInt(out, RecordBatch.LENGTH_OFFSET, out.length - RecordBatch.LOG_OVERHEAD);
        return recrc(out);
    }

    /** {@code batch} (compressed) with its uncompressed length replaced; CRC fixed. */
    private static byte[] declaring(byte[] batch, long uncompressedLength) {
        byte[] out = batch.clone();
        RecordBatch.putInt(out, SECTION, (int) uncompressedLength);
        return recrc(out);
    }

    /** Recompresses an uncompressed batch's records with {@code codec}, after {@code edit} changed them. */
    private static byte[] recompressed(byte[] uncompressed, CompressionCodec codec, Consumer<byte[]> edit) {
        byte[] records = Arrays.copyOfRange(uncompressed, SECTION, uncompressed.length);
        edit.accept(records);
        return withCompressedRecords(uncompressed, records, codec);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void roundTripKeepsEveryFieldAndRecord(CompressionCodec codec) {
        byte[] plain = sample(CompressionCodec.NONE).build();
        byte[] bytes = sample(codec).build();
        assertEquals(codec.id(), RecordBatch.getShort(bytes, RecordBatch.ATTRIBUTES_OFFSET));
        RecordBatch expected = RecordBatch.parse(plain);
        RecordBatch batch = RecordBatch.parse(bytes);
        assertEquals(codec, batch.compression());
        assertEquals(codec.id(), batch.attributes());
        assertEquals(4, batch.recordCount());
        assertEquals(3, batch.lastOffsetDelta());
        assertEquals(1_000, batch.baseTimestamp());
        assertEquals(1_500, batch.maxTimestamp());
        assertEquals(42, batch.producerId());
        assertEquals(3, batch.producerEpoch());
        assertEquals(7, batch.baseSequence());
        assertEquals(bytes.length, batch.sizeInBytes());
        assertEquals(plain.length - RecordBatch.HEADER_BYTES, batch.uncompressedRecordsSizeInBytes());
        assertArrayEquals(bytes, batch.toByteArray());
        assertEquals(expected.records(), batch.records());
        Record last = batch.records().get(3);
        assertArrayEquals(new byte[0], last.key());
        assertArrayEquals(new byte[0], last.value());
        assertArrayEquals(new byte[0], last.headers().get(0).value());
        assertNull(batch.records().get(2).value());
        assertNull(batch.records().get(1).key());
        // Iterating twice decodes the same records (the decompressed section is kept, not consumed).
        assertEquals(batch.records(), batch.records());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void settingTheBaseOffsetKeepsACompressedBatchValid(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        long crc = RecordBatch.parse(bytes).crc();
        RecordBatch.setBaseOffset(bytes, 1_000_000L);
        RecordBatch batch = RecordBatch.parse(bytes);
        assertEquals(crc, batch.crc());
        assertEquals(List.of(1_000_000L, 1_000_001L, 1_000_002L, 1_000_003L),
                batch.records().stream().map(Record::offset).toList());
        // The CRC is over what is stored: the compressed section, as for an uncompressed batch.
        assertEquals(RecordBatch.crc(bytes, RecordBatch.ATTRIBUTES_OFFSET, bytes.length) & 0xffffffffL, crc);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void manyRecordsRoundTrip(CompressionCodec codec) {
        SplittableRandom random = new SplittableRandom(codec.id());
        RecordBatchBuilder builder = RecordBatch.builder().compression(codec);
        RecordBatchBuilder plain = RecordBatch.builder();
        for (int i = 0; i < 5_000; i++) {
            long ts = 1_700_000_000_000L + random.nextInt(-5_000, 5_000);
            byte[] key = random.nextInt(10) == 0 ? null : b("key-" + random.nextInt(100));
            byte[] value = random.nextInt(20) == 0 ? null : new byte[random.nextInt(0, 400)];
            if (value != null) {
                // Half random, half repeated bytes: both the literal and the match paths of the codecs.
                for (int j = 0; j < value.length; j++) {
                    value[j] = j < value.length / 2 ? (byte) random.nextInt(256) : (byte) 'x';
                }
            }
            List<RecordHeader> headers = random.nextBoolean() ? List.of()
                    : List.of(new RecordHeader("trace-" + random.nextInt(3), random.nextBoolean() ? null : b("id-" + i)));
            builder.append(ts, key, value, headers);
            plain.append(ts, key, value, headers);
        }
        RecordBatch batch = RecordBatch.parse(builder.build());
        RecordBatch expected = RecordBatch.parse(plain.build());
        assertEquals(5_000, batch.recordCount());
        assertEquals(expected.maxTimestamp(), batch.maxTimestamp());
        assertEquals(expected.records(), batch.records());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void smallestAndIncompressibleBatchesRoundTrip(CompressionCodec codec) {
        // One 7-byte record (null key, null value): the compressed form is larger than the plain one, and valid.
        byte[] tiny = RecordBatch.builder().compression(codec).append(0, null, null).build();
        RecordBatch one = RecordBatch.parse(tiny);
        assertEquals(List.of(new Record(0, 0, null, null, List.of())), one.records());
        assertEquals(RecordBatch.MIN_RECORD_BYTES, one.uncompressedRecordsSizeInBytes());
        byte[] noise = new byte[100_000];
        new SplittableRandom(5).nextBytes(noise);
        RecordBatchBuilder builder = RecordBatch.builder().compression(codec).append(1, null, noise);
        byte[] bytes = builder.build();
        assertArrayEquals(noise, RecordBatch.parse(bytes).records().get(0).value());
        // Random bytes do not compress: the batch grows by the codec's framing only.
        assertTrue(bytes.length < builder.sizeInBytes() + 1_000, bytes.length + " vs " + builder.sizeInBytes());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void repetitiveRecordsCompressWell(CompressionCodec codec) {
        RecordBatchBuilder plain = RecordBatch.builder();
        RecordBatchBuilder compressed = RecordBatch.builder().compression(codec);
        for (int i = 0; i < 200; i++) {
            byte[] value = b("{\"orderId\":" + (100_000 + i) + ",\"customer\":\"customer-" + (i % 17)
                    + "\",\"status\":\"CONFIRMED\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"SKU-" + (i % 40)
                    + "\",\"quantity\":" + (1 + i % 3) + "}]}");
            plain.append(1_000 + i, b("order-" + i), value);
            compressed.append(1_000 + i, b("order-" + i), value);
        }
        byte[] plainBytes = plain.build();
        byte[] compressedBytes = compressed.build();
        assertTrue(compressedBytes.length * 3 < plainBytes.length,
                codec + ": " + compressedBytes.length + " compressed bytes for " + plainBytes.length + " plain");
        assertEquals(RecordBatch.parse(plainBytes).records(), RecordBatch.parse(compressedBytes).records());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void everyFlippedBitIsACrcMismatch(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        for (int i = RecordBatch.ATTRIBUTES_OFFSET; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupted = bytes.clone();
                corrupted[i] ^= (byte) (1 << bit);
                assertEquals(Reason.CRC_MISMATCH, reasonOf(corrupted), "byte " + i + " bit " + bit);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void everyTruncationIsRejected(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertEquals(Reason.TRUNCATED, reasonOf(cut), "length " + len);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void aTruncatedPayloadWithAValidCrcIsCorruptOrShort(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        byte[] section = Arrays.copyOfRange(bytes, SECTION, bytes.length);
        for (int len = RecordsCompression.UNCOMPRESSED_LENGTH_BYTES; len < section.length; len++) {
            Reason reason = reasonOf(withRawSection(bytes, Arrays.copyOf(section, len)));
            assertTrue(reason == Reason.CORRUPT_COMPRESSED_DATA || reason == Reason.UNCOMPRESSED_SIZE_MISMATCH,
                    "payload cut to " + len + ": " + reason);
        }
        for (int len = 0; len < RecordsCompression.UNCOMPRESSED_LENGTH_BYTES; len++) {
            assertEquals(Reason.TRUNCATED, reasonOf(withRawSection(bytes, Arrays.copyOf(section, len))), "section of " + len);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void garbagePayloadIsCorrupt(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        int declared = RecordBatch.getInt(bytes, SECTION);
        // Neither a Zstandard frame (wrong magic number) nor an LZ4 block (a match before any output).
        byte[] garbage = {0, 0, 0, 0, 0x0f, 0x01, 0x00, (byte) 0xff, 0x13, 0x37, 0x00, 0x00, 0x00, 0x00};
        RecordBatch.putInt(garbage, 0, declared);
        assertEquals(Reason.CORRUPT_COMPRESSED_DATA, reasonOf(withRawSection(bytes, garbage)));
    }

    @Test
    void zstdFrameDamageIsCorrupt() {
        byte[] bytes = sample(CompressionCodec.ZSTD).build();
        byte[] badMagic = bytes.clone();
        badMagic[PAYLOAD] ^= 0x40;
        assertEquals(Reason.CORRUPT_COMPRESSED_DATA, reasonOf(recrc(badMagic)));
        byte[] trailing = withRawSection(bytes, Arrays.copyOf(Arrays.copyOfRange(bytes, SECTION, bytes.length),
                bytes.length - SECTION + 3));
        assertEquals(Reason.CORRUPT_COMPRESSED_DATA, reasonOf(trailing));
    }

    @Test
    void lz4BlockWithAMatchBeforeItsOutputIsCorrupt() {
        byte[] bytes = sample(CompressionCodec.LZ4).build();
        // Literals "abcd", then a match 5 bytes back: only 4 bytes were written.
        byte[] block = {0x40, 'a', 'b', 'c', 'd', 0x05, 0x00, 0x50, 'e', 'f', 'g', 'h', 'i'};
        byte[] section = new byte[4 + block.length];
        RecordBatch.putInt(section, 0, 100); // enough for the 4 records of the header; the block fails first
        System.arraycopy(block, 0, section, 4, block.length);
        InvalidRecordBatchException e = assertThrows(InvalidRecordBatchException.class,
                () -> RecordBatch.parse(withRawSection(bytes, section)));
        assertEquals(Reason.CORRUPT_COMPRESSED_DATA, e.reason());
        assertTrue(e.getMessage().contains("byte 5"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void aLyingUncompressedLengthIsAMismatch(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        int actual = RecordBatch.getInt(bytes, SECTION);
        assertEquals(Reason.UNCOMPRESSED_SIZE_MISMATCH, reasonOf(declaring(bytes, actual + 1)));
        assertEquals(Reason.UNCOMPRESSED_SIZE_MISMATCH, reasonOf(declaring(bytes, actual - 1)));
        assertEquals(Reason.UNCOMPRESSED_SIZE_MISMATCH, reasonOf(declaring(bytes, actual * 1000L)));
        // Too small for the record count in the header: refused before decompressing.
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(declaring(bytes, 4 * RecordBatch.MIN_RECORD_BYTES - 1)));
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(declaring(bytes, 0)));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void anUncompressedLengthOverTheLimitIsRefusedBeforeDecompressing(CompressionCodec codec) {
        byte[] bytes = sample(codec).build();
        assertEquals(Reason.UNCOMPRESSED_SIZE_TOO_LARGE,
                reasonOf(declaring(bytes, RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES + 1L)));
        assertEquals(Reason.UNCOMPRESSED_SIZE_TOO_LARGE, reasonOf(declaring(bytes, 0xffff_ffffL)));
        assertEquals(Reason.UNCOMPRESSED_SIZE_TOO_LARGE, reasonOf(declaring(bytes, Integer.MAX_VALUE)));
    }

    /** An LZ4 block that decodes to {@code 1 + matchLength + 5} zero bytes from a few bytes per 255 of output. */
    private static byte[] lz4Bomb(long matchLength) {
        long extension = matchLength - 4 - 15;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x1f); // 1 literal, match length 15 + extension
        out.write(0);
        out.write(1); // offset 1, little-endian: repeat the previous byte
        out.write(0);
        for (long left = extension; ; left -= 255) {
            if (left < 255) {
                out.write((int) left);
                break;
            }
            out.write(255);
        }
        out.write(0x50); // the last sequence: 5 literals
        out.writeBytes(new byte[5]);
        return out.toByteArray();
    }

    @Test
    void lz4LengthWalkAgreesWithTheDecoder() {
        byte[] bomb = lz4Bomb(100_000);
        assertEquals(100_006, RecordsCompression.lz4DecodedLength(bomb, 0, bomb.length, Long.MAX_VALUE));
        assertArrayEquals(new byte[100_006], RecordsCompression.decompress(CompressionCodec.LZ4, bomb, 0, bomb.length, 100_006));
        // Random blocks and mutations of them: whenever the real decoder accepts one, the walk counts what it produced.
        LZ4SafeDecompressor decoder = LZ4Factory.safeInstance().safeDecompressor();
        SplittableRandom random = new SplittableRandom(11);
        int accepted = 0;
        int zeroOffsets = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] plain = new byte[random.nextInt(1, 600)];
            for (int j = 0; j < plain.length; j++) {
                plain[j] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 'a' + random.nextInt(3));
            }
            byte[] section = RecordsCompression.compress(CompressionCodec.LZ4, plain, plain.length, 0);
            byte[] block = Arrays.copyOfRange(section, 4, section.length);
            assertEquals(plain.length, RecordsCompression.lz4DecodedLength(block, 0, block.length, Long.MAX_VALUE));
            if (i % 2 == 1) {
                block[random.nextInt(block.length)] = (byte) random.nextInt(256);
            }
            byte[] out = new byte[plain.length * 4 + 100];
            int produced;
            try {
                produced = decoder.decompress(block, 0, block.length, out, 0, out.length);
            } catch (LZ4Exception rejected) {
                continue;
            }
            accepted++;
            long walked = RecordsCompression.lz4DecodedLength(block, 0, block.length, Long.MAX_VALUE);
            if (walked < 0) {
                // Stricter than lz4-java on one point: offset 0, invalid in the block format, which
                // decoders let through (copying not yet written output).
                int at = (int) (-walked - 1);
                assertEquals(0, block[at] | block[at + 1], "block " + i + " rejected at " + at + " but decodable");
                zeroOffsets++;
                continue;
            }
            assertEquals(produced, walked, "block " + i);
        }
        assertTrue(zeroOffsets < accepted / 10, zeroOffsets + " of " + accepted);
        assertTrue(accepted > 2_500, "accepted " + accepted);
    }

    @Test
    void lz4DecompressionBombIsRefusedWithoutAllocatingItsOutput() {
        byte[] batch = sample(CompressionCodec.LZ4).build();
        long huge = RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES + 1_000L;
        byte[] bomb = lz4Bomb(huge - 6);
        assertTrue(bomb.length < 300_000, "bomb of " + bomb.length + " bytes");
        assertBombRefused(batch, bomb, huge);
    }

    @Test
    void zstdDecompressionBombIsRefusedWithoutAllocatingItsOutput() throws IOException {
        byte[] batch = sample(CompressionCodec.ZSTD).build();
        long huge = RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES + 1_000L;
        // Streamed, so neither the test nor the frame header knows the content size up front.
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (ZstdOutputStream zstd = new ZstdOutputStream(compressed, 1)) {
            byte[] zeros = new byte[1 << 20];
            for (long left = huge; left > 0; left -= zeros.length) {
                zstd.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        byte[] bomb = compressed.toByteArray();
        assertTrue(bomb.length < 100_000, "bomb of " + bomb.length + " bytes");
        assertBombRefused(batch, bomb, huge);
    }

    /** {@code bomb} (decompressing to {@code huge} bytes) as the records section of {@code batch} is refused either way. */
    private static void assertBombRefused(byte[] batch, byte[] bomb, long huge) {
        byte[] section = new byte[4 + bomb.length];
        System.arraycopy(bomb, 0, section, 4, bomb.length);
        // Honest about its size: refused from the declared length alone.
        RecordBatch.putInt(section, 0, (int) huge);
        assertEquals(Reason.UNCOMPRESSED_SIZE_TOO_LARGE, reasonOf(withRawSection(batch, section)));
        // Lying about its size: the walk stops as soon as the output would pass the declared length.
        RecordBatch.putInt(section, 0, 1_000);
        assertEquals(Reason.UNCOMPRESSED_SIZE_MISMATCH, reasonOf(withRawSection(batch, section)));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void recordsInsideACompressedBatchAreValidatedAsWhenUncompressed(CompressionCodec codec) {
        byte[] plain = RecordBatch.builder().append(1, b("kk"), b("vv"), List.of(new RecordHeader("h", null))).build();
        // Record layout: len, attr, tsDelta, offDelta, keyLen, 'k','k', valLen, 'v','v', hdrCount, hdrKeyLen, 'h', hdrValLen
        assertEquals(1, RecordBatch.parse(recompressed(plain, codec, r -> { })).recordCount());
        assertEquals(Reason.INVALID_ATTRIBUTES, reasonOf(recompressed(plain, codec, r -> r[1] = 1)));
        assertEquals(Reason.INVALID_FIELD_LENGTH, reasonOf(recompressed(plain, codec, r -> r[4] = 40)));
        assertEquals(Reason.INVALID_RECORD_LENGTH, reasonOf(recompressed(plain, codec, r -> r[0] = 1)));
        assertEquals(Reason.INVALID_OFFSET_DELTA, reasonOf(recompressed(plain, codec, r -> r[3] = 2)));
        assertEquals(Reason.INVALID_HEADER_KEY, reasonOf(recompressed(plain, codec, r -> r[12] = (byte) 0xff)));
        assertEquals(Reason.MALFORMED_VARINT, reasonOf(recompressed(plain, codec, r -> r[13] = (byte) 0x80)));
        byte[] trailing = Arrays.copyOfRange(plain, SECTION, plain.length + 7);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(withCompressedRecords(plain, trailing, codec)));
        byte[] wrongMax = plain.clone();
        RecordBatch.putLong(wrongMax, RecordBatch.MAX_TIMESTAMP_OFFSET, 2);
        assertEquals(Reason.INVALID_TIMESTAMP, reasonOf(recompressed(wrongMax, codec, r -> { })));
        byte[] tooMany = plain.clone();
        RecordBatch.putInt(tooMany, RecordBatch.RECORD_COUNT_OFFSET, 2);
        assertEquals(Reason.INVALID_RECORD_COUNT, reasonOf(recompressed(tooMany, codec, r -> { })));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void mutatedCompressedBatchesWithValidCrcFailOnlyWithInvalidRecordBatch(CompressionCodec codec) {
        SplittableRandom random = new SplittableRandom(1234 + codec.id());
        byte[] original = sample(codec).build();
        for (int i = 0; i < 10_000; i++) {
            byte[] mutated = original.clone();
            int edits = random.nextInt(1, 4);
            for (int e = 0; e < edits; e++) {
                // Mostly the compressed section, sometimes the header after the CRC.
                int from = random.nextInt(4) == 0 ? RecordBatch.ATTRIBUTES_OFFSET : PAYLOAD;
                mutated[random.nextInt(from, mutated.length)] = (byte) random.nextInt(256);
            }
            parseExpectingOnlyInvalid(recrc(mutated));
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class, names = {"LZ4", "ZSTD"})
    void randomPayloadsFailOnlyWithInvalidRecordBatch(CompressionCodec codec) {
        SplittableRandom random = new SplittableRandom(77 + codec.id());
        byte[] batch = sample(codec).build();
        for (int i = 0; i < 5_000; i++) {
            byte[] section = new byte[random.nextInt(0, 120)];
            random.nextBytes(section);
            if (section.length >= 4) {
                RecordBatch.putInt(section, 0, random.nextInt(0, 4_000)); // past the size check most of the time
            }
            parseExpectingOnlyInvalid(withRawSection(batch, section));
        }
    }

    @Test
    void aPlainBatchRelabelledAsCompressedIsRejected() {
        byte[] plain = sample(CompressionCodec.NONE).build();
        for (CompressionCodec codec : List.of(CompressionCodec.LZ4, CompressionCodec.ZSTD)) {
            byte[] relabelled = plain.clone();
            RecordBatch.putShort(relabelled, RecordBatch.ATTRIBUTES_OFFSET, (short) codec.id());
            assertThrows(InvalidRecordBatchException.class, () -> RecordBatch.parse(recrc(relabelled)), codec.name());
        }
    }

    @Test
    void builderRefusesMoreRecordsThanACompressedBatchMayHold() {
        RecordBatchBuilder builder = RecordBatch.builder().compression(CompressionCodec.LZ4).append(1, null, b("first"));
        byte[] tooBig = new byte[RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES];
        assertThrows(IllegalArgumentException.class, () -> builder.append(2, null, tooBig));
        // The refused record left the builder as it was.
        assertEquals(1, builder.recordCount());
        assertEquals(1, RecordBatch.parse(builder.build()).recordCount());
        assertThrows(IllegalStateException.class, () -> builder.compression(CompressionCodec.ZSTD));
        List<CompressionCodec> all = new ArrayList<>(List.of(CompressionCodec.values()));
        assertEquals(List.of(CompressionCodec.NONE, CompressionCodec.LZ4, CompressionCodec.ZSTD), all);
        all.forEach(c -> assertTrue(c.supported(), c.name()));
    }
}
