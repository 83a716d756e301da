package dev.tributary.server.testing;

import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw data-plane requests for tests that check who may call, not what the SDK does. */
public final class RawRecords {
    private RawRecords() {}

    /** A durable produce of one unkeyed record with {@code value} to partition 0 of {@code topic}. */
    public static ProduceRequest produceOne(String topic, String value) {
        byte[] batch = RecordBatch.builder().append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)).build();
        return ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(0).addBatches(ByteString.copyFrom(batch))).build();
    }

    /** A fetch of partition 0 of {@code topic} from offset 0 that does not wait. */
    public static FetchRequest fetchPartitionZero(String topic) {
        return FetchRequest.newBuilder().setTopic(topic).setMaxWaitMs(0)
                .addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)).build();
    }

    /** The values of every record in {@code response}, as UTF-8, in response order. */
    public static List<String> values(FetchResponse response) {
        List<String> out = new ArrayList<>();
        response.getPartitionsList().forEach(p -> p.getBatchesList().forEach(b -> {
            for (Record r : RecordBatch.parse(b.toByteArray())) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }));
        return out;
    }
}
