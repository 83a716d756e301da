package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.dataplane.compaction.CompactionScheduler;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server compacts the partitions it owns of topics with cleanup.policy=compact: produced and
 * fetched over the real TLS listener with real tokens, only the latest record of each key stays, at
 * its offset; a fetch at a removed offset reads on from the next record kept; the newest batch and
 * topics with the delete policy are left alone.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class CompactionSchedulerTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    CompactionScheduler compaction;

    private TestClient client;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channel = client.grpcChannel();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A batch of key=value pairs, all with {@code timestamp}. */
    private static byte[] batch(long timestamp, String... keyEqualsValue) {
        RecordBatchBuilder builder = RecordBatch.builder();
        for (String kv : keyEqualsValue) {
            String[] parts = kv.split("=", 2);
            builder.append(timestamp, parts[0].getBytes(StandardCharsets.UTF_8), parts[1].getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private void produce(String token, String topic, byte[]... batches) {
        PartitionBatches.Builder p = PartitionBatches.newBuilder().setPartition(0);
        for (byte[] b : batches) {
            p.addBatches(ByteString.copyFrom(b));
        }
        ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .produce(ProduceRequest.newBuilder().setTopic(topic).addPartitions(p).setAcks(Acks.ACKS_DURABLE).build());
    }

    /** "offset:key=value" of every record at or after {@code offset}, read with one Fetch. */
    private List<String> fetch(String token, String topic, long offset) {
        FetchResponse response = FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .fetch(FetchRequest.newBuilder().setTopic(topic)
                        .addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(offset)).build());
        List<String> out = new ArrayList<>();
        response.getPartitions(0).getBatchesList().forEach(b -> {
            for (Record r : RecordBatch.parse(b.toByteArray())) {
                if (r.offset() >= offset) {
                    out.add(r.offset() + ":" + new String(r.key(), StandardCharsets.UTF_8) + "="
                            + new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        });
        return out;
    }

    @Test
    void ownedPartitionsOfCompactedTopicsKeepTheLatestRecordPerKey() throws Exception {
        String tenant = TestClient.uniqueId("compaction");
        String token = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        client.createTopic(admin, tenant, "prices", 1, "{\"cleanup.policy\":\"compact\"}");
        client.createTopic(admin, tenant, "events", 1, "{}");
        long ts = System.currentTimeMillis() - 60_000;
        for (String topic : List.of("prices", "events")) {
            // One request per batch, so that each is its own stored batch.
            produce(token, topic, batch(ts, "a=1", "b=1"));
            produce(token, topic, batch(ts, "a=2", "c=1"));
            produce(token, topic, batch(ts, "b=2", "a=3"));
            produce(token, topic, batch(ts, "a=4"));
        }

        CompactionScheduler.Pass pass = compaction.runOnce(System.currentTimeMillis());

        assertTrue(pass.partitions() >= 2, "both partitions are owned by this node after the produce: " + pass);
        assertEquals(0, pass.failures(), pass.toString());
        assertTrue(pass.compacted() >= 1 && pass.recordsRemoved() >= 3, pass.toString());
        assertEquals(List.of("3:c=1", "4:b=2", "5:a=3", "6:a=4"), fetch(token, "prices", 0),
                "a=1, b=1 and a=2 are superseded; a=3 stays because a=4 is in the newest batch");
        assertEquals(List.of("3:c=1", "4:b=2", "5:a=3", "6:a=4"), fetch(token, "prices", 2),
                "a fetch at a removed offset reads on from the next record kept");
        assertEquals(List.of("0:a=1", "1:b=1", "2:a=2", "3:c=1", "4:b=2", "5:a=3", "6:a=4"), fetch(token, "events", 0),
                "a topic with cleanup.policy=delete is not compacted");
    }
}
