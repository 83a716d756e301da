package dev.tributary.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.record.InvalidRecordBatchException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the batch format's tests share: UTF-8 bytes, re-signing a mutated batch, and how a parse fails. */
final class RecordBatchTestSupport {
    private RecordBatchTestSupport() {}

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code batch} with its CRC32C recomputed, so that a mutation reaches the checks behind the CRC. */
    static byte[] recrc(byte[] batch) {
        RecordBatch.putInt(batch, RecordBatch.CRC_OFFSET, RecordBatch.crc(batch, RecordBatch.ATTRIBUTES_OFFSET, batch.length));
        return batch;
    }

    /** Why parsing {@code bytes} fails; fails the test if it does not. */
    static Reason reasonOf(byte[] bytes) {
        return assertThrows(InvalidRecordBatchException.class, () -> RecordBatch.parse(bytes)).reason();
    }

    /** Parsing {@code input} either fails with InvalidRecordBatchException or gives a batch that is fully iterable. */
    static void parseExpectingOnlyInvalid(byte[] input) {
        try {
            RecordBatch batch = RecordBatch.parse(input);
            // Accepted input must be fully iterable.
            assertEquals(batch.recordCount(), batch.records().size());
        } catch (InvalidRecordBatchException expected) {
            // fine
        } catch (RuntimeException e) {
            fail("unexpected " + e + " for input " + Arrays.toString(input), e);
        }
    }
}
