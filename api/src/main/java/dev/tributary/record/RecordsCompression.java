package dev.tributary.record;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.tributary.record.InvalidRecordBatchException.Reason;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Compresses and decompresses the records section of a batch (layout in docs/record-format.md).
 * A compressed records section is the uncompressed length (4 bytes, big-endian, unsigned) followed
 * by the codec's payload: one LZ4 block (block format, no frame) or a Zstandard stream of one or
 * more frames. The length comes first so that a reader can refuse an oversized batch and allocate
 * the exact output before decoding anything.
 *
 * <p>Decoding input from the network is bounded: the output buffer is exactly the declared length
 * (at most {@link RecordBatch#MAX_UNCOMPRESSED_RECORDS_BYTES}), and a payload that decodes to more
 * or fewer bytes is rejected without allocating further.
 */
final class RecordsCompression {
    /** Bytes of the uncompressed length that precedes a compressed payload. */
    static final int UNCOMPRESSED_LENGTH_BYTES = 4;
    /** Zstandard's default level: a good ratio at a few hundred MB/s per core. */
    static final int ZSTD_LEVEL = 3;

    /** Smallest match LZ4 encodes; a token's match-length nibble counts from here. */
    private static final int LZ4_MIN_MATCH = 4;

    private RecordsCompression() {}

    /** Loaded on first use, so that a reader of uncompressed batches never loads native code. */
    private static final class Lz4 {
        // The JNI implementation when its native library loads, else the Java one; both are the
        // bounds-checking ("safe") variants, the only ones fit for input from the network.
        static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
        static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
        static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();
    }

    /**
     * Compresses {@code src[0, length)} into a new array of {@code headerRoom} unwritten bytes
     * followed by the compressed records section (uncompressed length, payload), trimmed to size.
     */
    static byte[] compress(CompressionCodec codec, byte[] src, int length, int headerRoom) {
        int payloadAt = headerRoom + UNCOMPRESSED_LENGTH_BYTES;
        byte[] out;
        int payloadLength;
        switch (codec) {
            case LZ4 -> {
                out = new byte[payloadAt + Lz4.COMPRESSOR.maxCompressedLength(length)];
                payloadLength = Lz4.COMPRESSOR.compress(src, 0, length, out, payloadAt, out.length - payloadAt);
            }
            case ZSTD -> {
                out = new byte[Math.toIntExact(payloadAt + Zstd.compressBound(length))];
                long written = Zstd.compressByteArray(out, payloadAt, out.length - payloadAt, src, 0, length, ZSTD_LEVEL);
                if (Zstd.isError(written)) {
                    // Cannot happen with a compressBound-sized output; a failure here is a bug, not bad input.
                    throw new IllegalStateException("Zstandard compression failed: " + Zstd.getErrorName(written));
                }
                payloadLength = (int) written;
            }
            default -> throw new IllegalArgumentException("not a compressing codec: " + codec);
        }
        RecordBatch.putInt(out, headerRoom, length);
        return Arrays.copyOf(out, payloadAt + payloadLength);
    }

    /**
     * Decodes the payload {@code buf[from, to)} of {@code codec}, which must decode to exactly
     * {@code uncompressedLength} bytes (already checked against the limit by the caller).
     */
    static byte[] decompress(CompressionCodec codec, byte[] buf, int from, int to, int uncompressedLength) {
        return switch (codec) {
            case LZ4 -> decompressLz4(buf, from, to, uncompressedLength);
            case ZSTD -> decompressZstd(buf, from, to, uncompressedLength);
            default -> throw new IllegalArgumentException("not a compressing codec: " + codec);
        };
    }

    private static byte[] decompressLz4(byte[] buf, int from, int to, int uncompressedLength) {
        // The safe decompressor cannot tell a malformed block from one that decodes to more than
        // the output holds; walking the sequences first gives each case its own reason, and stops
        // a block that expands past the declared length before any output is allocated.
        long decoded = lz4DecodedLength(buf, from, to, uncompressedLength);
        if (decoded < 0) {
            throw new InvalidRecordBatchException(Reason.CORRUPT_COMPRESSED_DATA,
                    "the LZ4 block of " + (to - from) + " bytes is malformed at byte " + (-decoded - 1 - from)
                            + " of the payload");
        }
        if (decoded != uncompressedLength) {
            throw sizeMismatch("LZ4", uncompressedLength, decoded > uncompressedLength
                    ? "more than " + uncompressedLength : Long.toString(decoded));
        }
        byte[] out = new byte[uncompressedLength];
        int n;
        try {
            n = Lz4.DECOMPRESSOR.decompress(buf, from, to - from, out, 0, uncompressedLength);
        } catch (LZ4Exception e) {
            // The walk checks framing and offsets; the decoder also enforces the format's end-of-block rules.
            throw new InvalidRecordBatchException(Reason.CORRUPT_COMPRESSED_DATA,
                    "the LZ4 block of " + (to - from) + " bytes cannot be decoded: " + e.getMessage());
        }
        if (n != uncompressedLength) {
            throw sizeMismatch("LZ4", uncompressedLength, Integer.toString(n));
        }
        return out;
    }

    /**
     * The number of bytes the LZ4 block {@code buf[from, to)} decodes to, counted from its
     * sequences without decoding (block format: a token with 4-bit literal and match lengths,
     * length extension bytes while 255, the literals, a 2-byte little-endian match offset; the last
     * sequence ends after its literals). Stops once the count exceeds {@code limit} and returns it.
     * Returns {@code -(p + 1)} when the block is malformed at byte {@code p}: a length or offset
     * past the end, or an offset of 0 or before the start of the output. (The format calls offset
     * 0 invalid; decoders differ on it, and accepting it would copy output not yet written.)
     */
    static long lz4DecodedLength(byte[] buf, int from, int to, long limit) {
        int p = from;
        long decoded = 0;
        while (true) {
            if (p >= to) {
                return -(p + 1L);
            }
            int token = buf[p++] & 0xff;
            long literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    if (p >= to) {
                        return -(p + 1L);
                    }
                    b = buf[p++] & 0xff;
                    literals += b;
                } while (b == 255);
            }
            if (literals > to - p) {
                return -(p + 1L);
            }
            p += (int) literals;
            decoded += literals;
            if (p == to) {
                return decoded;
            }
            if (to - p < 2) {
                return -(p + 1L);
            }
            int matchOffset = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8;
            if (matchOffset == 0 || matchOffset > decoded) {
                return -(p + 1L);
            }
            p += 2;
            long match = token & 0x0f;
            if (match == 15) {
                int b;
                do {
                    if (p >= to) {
                        return -(p + 1L);
                    }
                    b = buf[p++] & 0xff;
                    match += b;
                } while (b == 255);
            }
            decoded += match + LZ4_MIN_MATCH;
            if (decoded > limit) {
                return decoded;
            }
        }
    }

    private static byte[] decompressZstd(byte[] buf, int from, int to, int uncompressedLength) {
        byte[] out = new byte[uncompressedLength];
        long n;
        try {
            // One-shot decoding into a buffer of exactly the declared size: Zstandard uses the
            // output as its window, so a frame announcing a huge window or content size allocates
            // nothing and fails with "destination too small" as soon as it would outgrow it.
            n = Zstd.decompressByteArray(out, 0, uncompressedLength, buf, from, to - from);
        } catch (ZstdException e) {
            if (e.getErrorCode() == Zstd.errDstSizeTooSmall()) {
                throw sizeMismatch("Zstandard", uncompressedLength, "more than " + uncompressedLength);
            }
            throw new InvalidRecordBatchException(Reason.CORRUPT_COMPRESSED_DATA,
                    "the Zstandard payload of " + (to - from) + " bytes cannot be decoded: " + e.getMessage());
        }
        if (n != uncompressedLength) {
            throw sizeMismatch("Zstandard", uncompressedLength, Long.toString(n));
        }
        return out;
    }

    private static InvalidRecordBatchException sizeMismatch(String codec, int declared, String actual) {
        return new InvalidRecordBatchException(Reason.UNCOMPRESSED_SIZE_MISMATCH, "the records section declares "
                + declared + " uncompressed bytes but its " + codec + " payload decodes to " + actual);
    }
}
