package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.record.RecordHeader;
import dev.tributary.record.Varints;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The size computation must agree byte for byte with what the record format's builder writes. */
class RecordSizesTest {
    @Test
    void predictsEveryRecordTheBuilderWrites() {
        Random random = new Random(42);
        for (int batch = 0; batch < 200; batch++) {
            RecordBatchBuilder builder = RecordBatch.builder();
            long base = random.nextLong() >>> 2;
            long firstTimestamp = 0;
            int records = 1 + random.nextInt(300);
            for (int i = 0; i < records; i++) {
                // Timestamps around the first, either side, some far away (long varints).
                long timestamp = base + (random.nextInt(4) == 0 ? random.nextInt() * 1000L : random.nextInt(5000) - 2500);
                if (i == 0) {
                    firstTimestamp = timestamp;
                }
                byte[] key = random.nextInt(5) == 0 ? null : bytes(random, random.nextInt(3) == 0 ? 200 : 20);
                byte[] value = random.nextInt(10) == 0 ? null : bytes(random, random.nextInt(4) == 0 ? 20_000 : 100);
                List<RecordHeader> headers = new ArrayList<>();
                for (int h = random.nextInt(3); h > 0; h--) {
                    headers.add(new RecordHeader("h\u00e9-" + h, random.nextBoolean() ? null : bytes(random, 10)));
                }
                int before = builder.sizeInBytes();
                builder.append(timestamp, key, value, headers);
                int predicted = RecordSizes.recordSize(timestamp - firstTimestamp, i, key, value, headers);
                assertEquals(builder.sizeInBytes() - before, predicted, "record " + i + " of batch " + batch);
                if (i == 0) {
                    assertEquals(builder.sizeInBytes(), RecordSizes.batchOfOneSize(key, value, headers));
                }
            }
            assertEquals(builder.sizeInBytes(), builder.build().length);
        }
    }

    @Test
    void varintSizesAtTheirBoundaries() {
        assertEquals(1, Varints.sizeOfInt(0));
        assertEquals(1, Varints.sizeOfInt(-1));
        assertEquals(1, Varints.sizeOfInt(63));
        assertEquals(2, Varints.sizeOfInt(64));
        assertEquals(2, Varints.sizeOfInt(-65));
        assertEquals(5, Varints.sizeOfInt(Integer.MAX_VALUE));
        assertEquals(5, Varints.sizeOfInt(Integer.MIN_VALUE));
        assertEquals(10, Varints.sizeOfLong(Long.MIN_VALUE));
        assertEquals(1, RecordSizes.sizeOfField(null));
        assertEquals(1 + 63, RecordSizes.sizeOfField(new byte[63]));
        assertEquals(2 + 64, RecordSizes.sizeOfField(new byte[64]), "zigzag: a length of 64 takes two bytes");
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
