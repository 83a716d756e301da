package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.MetadataResponse;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionOffset;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.SubscribeCredit;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeResponse;
import dev.tributary.api.v1.SubscribeStart;
import dev.tributary.dataplane.fetch.HighWatermarkWaiters;
import dev.tributary.dataplane.produce.AppendCoalescer;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.embedded.EmbeddedStore;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data-plane gRPC API over the real TLS listener with real tokens: produce / fetch round trip,
 * coalesced appends with dense offsets, long-poll, offsets, flow-controlled subscriptions, precise
 * errors with nothing written, tenant isolation.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class DataPlaneTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    AppendCoalescer coalescer;
    @Inject
    HighWatermarkWaiters waiters;

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

    /** A new tenant with a member service account allowed to produce and consume; returns the member's token. */
    private String tenantMember(String tenant) throws Exception {
        return client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
    }

    private void createTopic(String tenant, String name, int partitions, String config) throws Exception {
        client.createTopic(admin, tenant, name, partitions, config);
    }

    private static String newTenantId() {
        return TestClient.uniqueId("dp");
    }

    private ProduceServiceGrpc.ProduceServiceBlockingStub producer(String token) {
        return ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private FetchServiceGrpc.FetchServiceBlockingStub fetcher(String token) {
        return FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static byte[] batch(long timestamp, String... values) {
        var builder = RecordBatch.builder();
        for (String v : values) {
            builder.append(timestamp, ("k-" + v).getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static ProduceRequest produceRequest(String topic, int partition, byte[]... batches) {
        PartitionBatches.Builder p = PartitionBatches.newBuilder().setPartition(partition);
        for (byte[] b : batches) {
            p.addBatches(ByteString.copyFrom(b));
        }
        return ProduceRequest.newBuilder().setTopic(topic).addPartitions(p).setAcks(Acks.ACKS_DURABLE).build();
    }

    private static FetchRequest fetchRequest(String topic, int partition, long offset, int maxWaitMs) {
        return FetchRequest.newBuilder().setTopic(topic).setMaxWaitMs(maxWaitMs)
                .addPartitions(PartitionFetch.newBuilder().setPartition(partition).setOffset(offset)).build();
    }

    private static List<String> values(FetchResponse response) {
        List<String> out = new ArrayList<>();
        response.getPartitionsList().forEach(p -> p.getBatchesList().forEach(b -> {
            for (Record r : RecordBatch.parse(b.toByteArray())) {
                out.add(r.offset() + ":" + new String(r.value(), StandardCharsets.UTF_8));
            }
        }));
        return out;
    }

    private static void assertGrpcError(Runnable call, Status.Code status, String code) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(status, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith(code + ":"), e.getStatus().getDescription());
        assertEquals(code, e.getTrailers().get(ERROR_CODE));
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        assertNotNull(details, "status details");
        try {
            assertEquals(code, details.getDetails(0).unpack(ErrorInfo.class).getReason());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void produceAndFetchRoundTrip() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "orders", 2, "{}");

        ProduceResponse produced = producer(token).produce(produceRequest("orders", 1, batch(1000, "a", "b"), batch(2000, "c")));
        assertEquals(0, produced.getPartitions(0).getBatches(0).getBaseOffset());
        assertEquals(1, produced.getPartitions(0).getBatches(0).getLastOffset());
        assertEquals(2, produced.getPartitions(0).getBatches(1).getBaseOffset());

        FetchResponse fetched = fetcher(token).fetch(fetchRequest("orders", 1, 0, 0));
        assertEquals(List.of("0:a", "1:b", "2:c"), values(fetched));
        assertEquals(3, fetched.getPartitions(0).getHighWatermark());
        assertEquals(List.of(), values(fetcher(token).fetch(fetchRequest("orders", 0, 0, 0))));

        // acks=NONE answers without offsets; the data arrives all the same.
        ProduceResponse unacked = producer(token).produce(produceRequest("orders", 1, batch(3000, "d")).toBuilder()
                .setAcks(Acks.ACKS_NONE).build());
        assertEquals(-1, unacked.getPartitions(0).getBatches(0).getBaseOffset());
        FetchResponse later = fetcher(token).fetch(fetchRequest("orders", 1, 3, 5000));
        assertEquals(List.of("3:d"), values(later));

        MetadataResponse metadata = fetcher(token).metadata(MetadataRequest.newBuilder().addTopics("orders").build());
        assertEquals(2, metadata.getTopics(0).getPartitionsCount());
        assertTrue(metadata.getTopics(0).getPartitions(1).getOwner().getEndpoint().startsWith("https://"));
        assertEquals(1, fetcher(token).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount());
    }

    @Test
    void concurrentProducersGetDenseOffsetsInCoalescedCommits() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        // Kept forever: the records are timestamped 1 ms after the epoch, and a retention round landing
        // between the produces and the read-back would otherwise remove the oldest of them.
        createTopic(tenant, "hot", 1, "{\"retention.ms\":\"-1\"}");
        long transactionsBefore = coalescer.transactions();
        long commitsBefore = ((EmbeddedStore) store).stats().commits();
        int producers = 8;
        int perProducer = 25;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        List<long[]> ranges = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        var r = producer(token).produce(produceRequest("hot", 0, batch(1, id + "-" + i + "-x", id + "-" + i + "-y")))
                                .getPartitions(0).getBatches(0);
                        ranges.add(new long[] {r.getBaseOffset(), r.getLastOffset()});
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int batches = producers * perProducer;
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < batches; i++) {
            assertEquals(2L * i, ranges.get(i)[0], "dense, no gaps, no duplicates");
            assertEquals(2L * i + 1, ranges.get(i)[1]);
        }
        long transactions = coalescer.transactions() - transactionsBefore;
        long commits = ((EmbeddedStore) store).stats().commits() - commitsBefore;
        assertTrue(transactions < batches, "coalesced: " + transactions + " append transactions for " + batches + " batches");
        assertTrue(commits < batches, "store commits " + commits + " < " + batches + " batches");
        // Every record readable once, at its offset.
        long offset = 0;
        int records = 0;
        while (offset < 2L * batches) {
            FetchResponse r = fetcher(token).fetch(fetchRequest("hot", 0, offset, 0));
            for (String v : values(r)) {
                assertEquals(offset, Long.parseLong(v.substring(0, v.indexOf(':'))));
                offset++;
                records++;
            }
        }
        assertEquals(2 * batches, records);
    }

    @Test
    void longPollWakesOnProduceAndTimesOut() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "waits", 1, "{}");

        long start = System.nanoTime();
        FetchResponse empty = fetcher(token).fetch(fetchRequest("waits", 0, 0, 300));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of(), values(empty));
        assertTrue(waitedMs >= 250, "waited " + waitedMs + " ms");

        List<CompletableFuture<FetchResponse>> polls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            polls.add(CompletableFuture.supplyAsync(() -> fetcher(token).fetch(fetchRequest("waits", 0, 0, 20_000))));
        }
        Thread.sleep(500); // let them park on the shared watch
        assertTrue(waiters.sharedWaits() >= 1);
        long produced = System.nanoTime();
        producer(token).produce(produceRequest("waits", 0, batch(5, "wake")));
        for (CompletableFuture<FetchResponse> poll : polls) {
            assertEquals(List.of("0:wake"), values(poll.get(10, TimeUnit.SECONDS)));
        }
        assertTrue((System.nanoTime() - produced) / 1_000_000 < 5_000, "woken by the produce, not by the timeout");
    }

    @Test
    void listOffsetsIncludingTimestamps() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "times", 1, "{}");
        producer(token).produce(produceRequest("times", 0, batch(1000, "a", "b"), batch(2000, "c"), batch(3000, "d")));
        List<PartitionOffset> offsets = fetcher(token).listOffsets(ListOffsetsRequest.newBuilder().setTopic("times")
                .addPartitions(PartitionOffsetQuery.newBuilder().setSpec(OffsetSpec.OFFSET_SPEC_EARLIEST))
                .addPartitions(PartitionOffsetQuery.newBuilder().setSpec(OffsetSpec.OFFSET_SPEC_LATEST))
                .addPartitions(PartitionOffsetQuery.newBuilder().setSpec(OffsetSpec.OFFSET_SPEC_TIMESTAMP).setTimestampMs(1500))
                .addPartitions(PartitionOffsetQuery.newBuilder().setSpec(OffsetSpec.OFFSET_SPEC_TIMESTAMP).setTimestampMs(9000))
                .build()).getPartitionsList();
        assertEquals(0, offsets.get(0).getOffset());
        assertEquals(4, offsets.get(1).getOffset());
        assertEquals(2, offsets.get(2).getOffset());
        assertEquals(2000, offsets.get(2).getTimestampMs());
        assertFalse(offsets.get(3).getFound());
        assertEquals(4, offsets.get(3).getOffset());
    }

    @Test
    void subscribeSendsNoMoreThanGranted() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "stream", 1, "{}");
        for (int i = 0; i < 6; i++) {
            producer(token).produce(produceRequest("stream", 0, batch(i, "v" + i)));
        }
        List<SubscribeResponse> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> requests = subscribe(token, received, ended);
        requests.onNext(SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic("stream").setOffset(0)
                .setCredit(SubscribeCredit.newBuilder().setBatches(2).setBytes(Long.MAX_VALUE))).build());
        Thread.sleep(1000);
        assertEquals(2, received.size(), "two batch credits: two batches");
        requests.onNext(SubscribeRequest.newBuilder().setCredit(SubscribeCredit.newBuilder().setBatches(10)).build());
        awaitSize(received, 6);
        // Caught up: new data is pushed as it is produced (woken by the shared watch).
        producer(token).produce(produceRequest("stream", 0, batch(7, "v6")));
        awaitSize(received, 7);
        List<String> seen = new ArrayList<>();
        received.forEach(r -> seen.addAll(values(FetchResponse.newBuilder().addPartitions(
                dev.tributary.api.v1.PartitionData.newBuilder().addAllBatches(r.getBatchesList())).build())));
        assertEquals(List.of("0:v0", "1:v1", "2:v2", "3:v3", "4:v4", "5:v5", "6:v6"), seen);
        requests.onCompleted();
        assertEquals(null, ended.get(10, TimeUnit.SECONDS));

        // Byte credit: 1.5 batches' worth gets exactly one batch; more bytes, one more.
        int size = received.get(0).getBatches(0).size();
        List<SubscribeResponse> byBytes = new CopyOnWriteArrayList<>();
        StreamObserver<SubscribeRequest> second = subscribe(token, byBytes, new CompletableFuture<>());
        second.onNext(SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic("stream").setOffset(0)
                .setCredit(SubscribeCredit.newBuilder().setBatches(Long.MAX_VALUE).setBytes(size + size / 2))).build());
        Thread.sleep(1000);
        assertEquals(1, byBytes.size());
        second.onNext(SubscribeRequest.newBuilder().setCredit(SubscribeCredit.newBuilder().setBytes(size)).build());
        awaitSize(byBytes, 2);
        Thread.sleep(300);
        assertEquals(2, byBytes.size());
        second.onCompleted();

        // Protocol errors end the stream with a precise status.
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> third = subscribe(token, new CopyOnWriteArrayList<>(), refused);
        third.onNext(SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic("stream").setOffset(99)
                .setCredit(SubscribeCredit.newBuilder().setBatches(1).setBytes(1000))).build());
        Throwable error = refused.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.OUT_OF_RANGE, Status.fromThrowable(error).getCode(), String.valueOf(error));
    }

    private StreamObserver<SubscribeRequest> subscribe(String token, List<SubscribeResponse> received, CompletableFuture<Throwable> ended) {
        return FetchServiceGrpc.newStub(channel).withCallCredentials(TestClient.bearer(token))
                .subscribe(new StreamObserver<>() {
                    @Override
                    public void onNext(SubscribeResponse value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(size, list.size());
    }

    @Test
    void badInputGetsPreciseErrorsAndWritesNothing() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "strict", 2, "{\"max.message.bytes\":\"200\"}");
        var produce = producer(token);
        var fetch = fetcher(token);
        byte[] good = batch(1, "ok");
        assertGrpcError(() -> produce.produce(produceRequest("nope", 0, good)), Status.Code.NOT_FOUND, "UNKNOWN_TOPIC");
        assertGrpcError(() -> produce.produce(produceRequest("strict", 2, good)), Status.Code.NOT_FOUND, "UNKNOWN_PARTITION");
        assertGrpcError(() -> produce.produce(produceRequest("bad name!", 0, good)), Status.Code.INVALID_ARGUMENT, "INVALID_TOPIC_NAME");
        byte[] big = batch(1, "x".repeat(300));
        assertGrpcError(() -> produce.produce(produceRequest("strict", 0, good, big)), Status.Code.INVALID_ARGUMENT, "RECORD_TOO_LARGE");
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 1] ^= 1;
        StatusRuntimeException crc = assertThrows(StatusRuntimeException.class, () -> produce.produce(produceRequest("strict", 1, good, corrupt)));
        assertEquals("INVALID_BATCH", crc.getTrailers().get(ERROR_CODE));
        ErrorInfo info = StatusProto.fromThrowable(crc).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("CRC_MISMATCH", info.getMetadataMap().get("batch_reason"));
        assertEquals("1", info.getMetadataMap().get("batch_index"));
        assertGrpcError(() -> produce.produce(produceRequest("strict", 0, new byte[] {1, 2, 3})), Status.Code.INVALID_ARGUMENT, "INVALID_BATCH");
        assertGrpcError(() -> produce.produce(ProduceRequest.newBuilder().setTopic("strict").build()), Status.Code.INVALID_ARGUMENT,
                "INVALID_REQUEST");
        // Nothing of the refused requests was written (the good batch shared a request with a bad one).
        for (int p = 0; p < 2; p++) {
            assertEquals(0, fetch.fetch(fetchRequest("strict", p, 0, 0)).getPartitions(0).getHighWatermark());
        }
        assertGrpcError(() -> fetch.fetch(fetchRequest("strict", 0, 5, 0)), Status.Code.OUT_OF_RANGE, "OFFSET_OUT_OF_RANGE");
        assertGrpcError(() -> fetch.fetch(fetchRequest("strict", 7, 0, 0)), Status.Code.NOT_FOUND, "UNKNOWN_PARTITION");
        assertGrpcError(() -> fetch.listOffsets(ListOffsetsRequest.newBuilder().setTopic("strict")
                .addPartitions(PartitionOffsetQuery.newBuilder()).build()), Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
    }

    @Test
    void tenantsAreIsolatedAndCallsNeedATenantToken() throws Exception {
        String a = newTenantId();
        String b = newTenantId();
        String tokenA = tenantMember(a);
        String tokenB = tenantMember(b);
        createTopic(a, "secret", 1, "{}");
        producer(tokenA).produce(produceRequest("secret", 0, batch(1, "a-only")));

        // B knows the name; it resolves in B's own subspace, where there is no such topic.
        assertGrpcError(() -> producer(tokenB).produce(produceRequest("secret", 0, batch(1, "intruder"))), Status.Code.NOT_FOUND,
                "UNKNOWN_TOPIC");
        assertGrpcError(() -> fetcher(tokenB).fetch(fetchRequest("secret", 0, 0, 0)), Status.Code.NOT_FOUND, "UNKNOWN_TOPIC");
        assertEquals(0, fetcher(tokenB).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount());
        // B's own topic of the same name is another topic.
        createTopic(b, "secret", 1, "{}");
        assertEquals(List.of(), values(fetcher(tokenB).fetch(fetchRequest("secret", 0, 0, 0))));
        assertEquals(List.of("0:a-only"), values(fetcher(tokenA).fetch(fetchRequest("secret", 0, 0, 0))));

        // A platform administrator belongs to no tenant: no topics to address.
        assertGrpcError(() -> producer(admin).produce(produceRequest("secret", 0, batch(1, "x"))), Status.Code.PERMISSION_DENIED,
                "FORBIDDEN");
        // No token, or a broken one: UNAUTHENTICATED before anything runs.
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> ProduceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).produce(produceRequest("secret", 0, batch(1, "anon"))));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", none.getTrailers().get(ERROR_CODE));
        StatusRuntimeException tampered = assertThrows(StatusRuntimeException.class, () -> FetchServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(TestClient.bearer(tokenA.substring(0, tokenA.length() - 4) + "AAAA"))
                .withDeadlineAfter(10, TimeUnit.SECONDS).fetch(fetchRequest("secret", 0, 0, 0)));
        assertEquals(Status.Code.UNAUTHENTICATED, tampered.getStatus().getCode());
        assertEquals(1, fetcher(tokenA).fetch(fetchRequest("secret", 0, 0, 0)).getPartitions(0).getHighWatermark());
    }
}
