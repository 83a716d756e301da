package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.dataplane.produce.ProduceGrpcService;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bound on decompression per produce request, over the real TLS listener with real tokens:
 * batches that are small on the wire but decompress to more than 64 MiB of records together are
 * refused with INVALID_REQUEST naming the limit, and nothing of the request is written, whether
 * the batches are in one partition or spread over several; up to the bound, compressed produce
 * works and reads back.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class ProduceDecompressionBoundTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    /** 24 records of 1 MiB each: 24 MiB of records, a few KB once compressed. */
    private static final int RECORDS_PER_BOMB = 24;
    private static final int VALUE_BYTES = 1 << 20;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private TestClient client;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        Path caFile = config.dataDir().resolve("tls/ca.pem");
        client = new TestClient(root.toURI(), caFile);
        admin = client.adminToken(config.dataDir());
        channel = TestClient.grpcChannel(root.getPort(), caFile);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A batch of highly compressible records (runs of one byte): 24 MiB of records, tiny on the wire. */
    private static byte[] compressible(CompressionCodec codec, String tag) {
        RecordBatchBuilder b = RecordBatch.builder().compression(codec);
        long now = System.currentTimeMillis();
        byte[] value = new byte[VALUE_BYTES];
        java.util.Arrays.fill(value, (byte) 'z');
        b.append(now, tag.getBytes(StandardCharsets.UTF_8), tag.getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i < RECORDS_PER_BOMB; i++) {
            b.append(now, null, value);
        }
        return b.build();
    }

    private static ProduceRequest request(String topic, List<List<byte[]>> batchesByPartition) {
        ProduceRequest.Builder r = ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE);
        for (int p = 0; p < batchesByPartition.size(); p++) {
            PartitionBatches.Builder partition = r.addPartitionsBuilder().setPartition(p);
            batchesByPartition.get(p).forEach(b -> partition.addBatches(ByteString.copyFrom(b)));
        }
        return r.build();
    }

    private long highWatermark(FetchServiceGrpc.FetchServiceBlockingStub fetch, String topic, int partition) {
        return fetch.fetch(FetchRequest.newBuilder().setTopic(topic).addPartitions(PartitionFetch.newBuilder().setPartition(partition)
                .setOffset(0).setMaxBytes(1)).build()).getPartitions(0).getHighWatermark();
    }

    private void assertRefusedAboveTheBound(ProduceServiceGrpc.ProduceServiceBlockingStub produce, ProduceRequest request) throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> produce.produce(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals("INVALID_REQUEST", e.getTrailers().get(ERROR_CODE));
        String description = e.getStatus().getDescription();
        assertTrue(description.startsWith("INVALID_REQUEST: the batches of one produce request may hold at most 67108864 bytes of "
                + "records once decompressed"), description);
        ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("67108864", info.getMetadataMap().get("max_uncompressed_request_bytes"));
    }

    @Test
    @Timeout(120)
    void requestsAboveTheUncompressedBoundAreRefusedAndWriteNothing() throws Exception {
        assertEquals(64 * 1024 * 1024, ProduceGrpcService.MAX_UNCOMPRESSED_REQUEST_BYTES);
        String tenant = "pd-" + UUID.randomUUID().toString().substring(0, 8);
        String token = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/topics", admin,
                "{\"name\":\"bombs\",\"partitions\":2,\"config\":{}}");
        assertEquals(201, created.statusCode(), created.body());
        var produce = ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        var fetch = FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);

        byte[] a = compressible(CompressionCodec.ZSTD, "a");
        byte[] b = compressible(CompressionCodec.LZ4, "b");
        byte[] c = compressible(CompressionCodec.ZSTD, "c");
        int wire = a.length + b.length + c.length;
        assertTrue(wire < 1 << 20, "three batches of " + wire + " bytes on the wire, 72 MiB of records");

        // 72 MiB of records in one partition, then spread over two: refused, nothing written anywhere.
        assertRefusedAboveTheBound(produce, request("bombs", List.of(List.of(a, b, c))));
        assertRefusedAboveTheBound(produce, request("bombs", List.of(List.of(a, b), List.of(c))));
        assertEquals(0, highWatermark(fetch, "bombs", 0));
        assertEquals(0, highWatermark(fetch, "bombs", 1));

        // 48 MiB: within the bound, appended and readable, records intact.
        ProduceResponse accepted = produce.produce(request("bombs", List.of(List.of(a), List.of(b))));
        assertEquals(0, accepted.getPartitions(0).getBatches(0).getBaseOffset());
        assertEquals(RECORDS_PER_BOMB - 1, accepted.getPartitions(1).getBatches(0).getLastOffset());
        for (int p = 0; p < 2; p++) {
            FetchResponse fetched = fetch.fetch(FetchRequest.newBuilder().setTopic("bombs").addPartitions(PartitionFetch.newBuilder()
                    .setPartition(p).setOffset(0)).build());
            List<Record> records = new ArrayList<>();
            for (ByteString bytes : fetched.getPartitions(0).getBatchesList()) {
                RecordBatch batch = RecordBatch.parse(bytes.toByteArray());
                assertEquals(p == 0 ? CompressionCodec.ZSTD : CompressionCodec.LZ4, batch.compression());
                records.addAll(batch.records());
            }
            assertEquals(RECORDS_PER_BOMB, records.size());
            assertEquals(p == 0 ? "a" : "b", new String(records.get(0).value(), StandardCharsets.UTF_8));
            assertEquals(VALUE_BYTES, records.get(RECORDS_PER_BOMB - 1).value().length);
            assertEquals('z', records.get(RECORDS_PER_BOMB - 1).value()[VALUE_BYTES - 1]);
        }
    }
}
