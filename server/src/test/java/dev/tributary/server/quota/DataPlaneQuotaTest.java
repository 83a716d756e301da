package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.ListGroupsRequest;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.SubscribeCredit;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeResponse;
import dev.tributary.api.v1.SubscribeStart;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.quota.QuotaTestSupport.Tenant;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quotas on the data plane over real gRPC with real tokens: produce throttled with a RetryInfo
 * delay and nothing written, the request rate on offset and group calls, the storage quota, the
 * connection (stream) quota, fetches throttled and subscriptions delayed rather than failed, and
 * the metrics that show it.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class DataPlaneQuotaTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private QuotaTestSupport q;

    @BeforeEach
    void connect() throws Exception {
        q = QuotaTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        q.close();
    }

    private static StatusRuntimeException refusal(String code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
        assertEquals(code, QuotaTestSupport.reason(e), e.toString());
        assertEquals(code, e.getTrailers().get(ERROR_CODE));
        assertTrue(e.getStatus().getDescription().startsWith(code + ": "), e.getStatus().getDescription());
        return e;
    }

    private static void await(long timeoutMs, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private long usage(String tenant, String field) {
        try {
            return q.quota(tenant).get("usage").get(field).asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void produceOverTheByteRateIsThrottledWithARetryDelayAndNothingIsWritten() throws Exception {
        Tenant t = q.newTenant("qd");
        q.client.createTopic(t.adminToken(), t.id(), "p", 1, "{}");
        q.setQuota(t.id(), "{\"produceBytesPerSecond\":50000}");
        // 150 KB while the budget (50 KB, one second's worth) is positive: accepted whole.
        byte[] big = QuotaTestSupport.batch(150, 1_000);
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("p", 0, big));
        assertEquals(150, q.highWatermark(t.adminToken(), "p", 0));

        // Now the budget is about -100 KB: refused, with the time until it is positive again (about 2 s,
        // less the time since).
        byte[] small = QuotaTestSupport.batch(1, 100);
        StatusRuntimeException throttled = refusal("THROTTLED",
                () -> q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("p", 0, small)));
        Duration delay = QuotaTestSupport.retryDelay(throttled);
        assertNotNull(delay, "RetryInfo in the status details");
        long deficitMs = (big.length - 50_000) * 1_000L / 50_000; // the time the budget needs to climb back to zero
        assertTrue(delay.toMillis() > 0 && delay.toMillis() <= deficitMs + 2, "retry delay " + delay + ", deficit "
                + deficitMs + " ms");
        assertTrue(throttled.getStatus().getDescription().contains("produceBytesPerSecond"), throttled.getStatus().getDescription());
        // acks=NONE is refused the same way (it would otherwise be answered before its commit).
        refusal("THROTTLED", () -> q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("p", 0, small).toBuilder()
                .setAcks(Acks.ACKS_NONE).build()));
        assertEquals(150, q.highWatermark(t.adminToken(), "p", 0), "nothing of a throttled request is written");

        // After the delay the same request is accepted.
        Thread.sleep(delay.toMillis());
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("p", 0, small));
        assertEquals(151, q.highWatermark(t.adminToken(), "p", 0));

        // Another tenant on the same node is not held back.
        Tenant other = q.newTenant("qd");
        q.client.createTopic(other.adminToken(), other.id(), "p", 1, "{}");
        for (int i = 0; i < 3; i++) {
            q.producer(other.adminToken()).produce(QuotaTestSupport.produceRequest("p", 0, big));
        }

        String metrics = q.metrics();
        String labels = "kind=\"produce-bytes\",tenant=\"" + t.id() + "\"";
        assertEquals(2.0, QuotaTestSupport.sample(metrics, "tributary_quota_throttled_total", labels), "throttle count");
        assertEquals(2.0, QuotaTestSupport.sample(metrics, "tributary_quota_throttle_delay_seconds_count", labels), "delays given");
        assertTrue(QuotaTestSupport.sample(metrics, "tributary_quota_throttle_delay_seconds_sum", labels) > 0, "delays given");
        assertEquals(50_000.0, QuotaTestSupport.sample(metrics, "tributary_quota_limit",
                "quota=\"produce-bytes-per-second\",tenant=\"" + t.id() + "\""), "limit gauge");
        assertTrue(QuotaTestSupport.sample(metrics, "tributary_quota_usage",
                "quota=\"produce-bytes-per-second\",tenant=\"" + t.id() + "\"") > 0, "usage gauge");
        assertNull(QuotaTestSupport.sample(metrics, "tributary_quota_throttled_total",
                "kind=\"produce-bytes\",tenant=\"" + other.id() + "\""), "the other tenant was never throttled");
    }

    @Test
    void offsetAndGroupCallsCountAgainstTheRequestRate() throws Exception {
        Tenant t = q.newTenant("qd");
        q.client.createTopic(t.adminToken(), t.id(), "r", 1, "{}");
        q.setQuota(t.id(), "{\"requestsPerSecond\":3}");
        GroupServiceGrpc.GroupServiceBlockingStub groups = GroupServiceGrpc.newBlockingStub(q.channel)
                .withCallCredentials(TestClient.bearer(t.adminToken())).withDeadlineAfter(30, TimeUnit.SECONDS);
        StatusRuntimeException throttled = null;
        int accepted = 0;
        for (int i = 0; i < 10 && throttled == null; i++) {
            try {
                groups.listGroups(ListGroupsRequest.getDefaultInstance());
                accepted++;
            } catch (StatusRuntimeException e) {
                throttled = e;
            }
        }
        assertNotNull(throttled, "a fourth or fifth call within the second is throttled");
        assertTrue(accepted >= 3 && accepted <= 5, "accepted " + accepted);
        StatusRuntimeException e = throttled;
        refusal("THROTTLED", () -> {
            throw e;
        });
        assertTrue(QuotaTestSupport.retryDelay(e).toMillis() <= 400, "one request's worth at 3/s: " + QuotaTestSupport.retryDelay(e));
        // The fetch service's calls share the budget.
        refusal("THROTTLED", () -> q.highWatermark(t.adminToken(), "r", 0));
        Thread.sleep(QuotaTestSupport.retryDelay(e).toMillis() + 400);
        assertEquals(0, q.highWatermark(t.adminToken(), "r", 0));
    }

    @Test
    void produceIsRefusedOnceTheTenantStoresItsStorageQuota() throws Exception {
        Tenant t = q.newTenant("qd");
        q.client.createTopic(t.adminToken(), t.id(), "s", 2, "{}");
        q.setQuota(t.id(), "{\"storageBytes\":20000}");
        byte[] batch = QuotaTestSupport.batch(15, 1_000);
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("s", 0, batch));
        // Below the quota when it arrived: accepted, and now the tenant is above it.
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("s", 1, batch));
        StatusRuntimeException full = refusal("STORAGE_QUOTA_EXCEEDED",
                () -> q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("s", 0, QuotaTestSupport.batch(1, 10))));
        assertNull(QuotaTestSupport.retryDelay(full), "no retry delay: waiting does not free storage");
        assertEquals(15, q.highWatermark(t.adminToken(), "s", 0));
        assertEquals(2L * batch.length, usage(t.id(), "storageBytes"));
        assertEquals(1.0, QuotaTestSupport.sample(q.metrics(), "tributary_quota_rejected_total",
                "quota=\"storage-bytes\",tenant=\"" + t.id() + "\""));

        // Deleting the data frees the quota (the usage read sums the partitions again).
        assertEquals(204, q.client.delete("/v1/tenants/" + t.id() + "/topics/s", t.adminToken()).statusCode());
        assertEquals(0, usage(t.id(), "storageBytes"));
        q.client.createTopic(t.adminToken(), t.id(), "s", 1, "{}");
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("s", 0, batch));
    }

    /** An open Subscribe stream of {@code tenant} on topic {@code topic}, partition 0, from offset 0. */
    private record Stream(StreamObserver<SubscribeRequest> requests, List<SubscribeResponse> received,
            CompletableFuture<Throwable> ended) {}

    private Stream subscribe(String token, String topic, long byteCredit) {
        List<SubscribeResponse> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> requests = FetchServiceGrpc.newStub(q.channel).withCallCredentials(TestClient.bearer(token))
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
        requests.onNext(SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic(topic).setPartition(0).setOffset(0)
                .setCredit(SubscribeCredit.newBuilder().setBatches(1_000).setBytes(byteCredit))).build());
        return new Stream(requests, received, ended);
    }

    @Test
    void streamsBeyondTheConnectionQuotaAreRefusedUntilOneEnds() throws Exception {
        Tenant t = q.newTenant("qd");
        q.client.createTopic(t.adminToken(), t.id(), "c", 1, "{}");
        q.setQuota(t.id(), "{\"connections\":2}");
        Stream first = subscribe(t.adminToken(), "c", Long.MAX_VALUE);
        Stream second = subscribe(t.adminToken(), "c", Long.MAX_VALUE);
        await(10_000, "two streams counted", () -> usage(t.id(), "connections") == 2);

        Stream third = subscribe(t.adminToken(), "c", Long.MAX_VALUE);
        Throwable refused = third.ended().get(10, TimeUnit.SECONDS);
        assertTrue(refused instanceof StatusRuntimeException, String.valueOf(refused));
        refusal("CONNECTION_QUOTA_EXCEEDED", () -> {
            throw (StatusRuntimeException) refused;
        });
        assertEquals(1.0, QuotaTestSupport.sample(q.metrics(), "tributary_quota_rejected_total",
                "quota=\"connections\",tenant=\"" + t.id() + "\""));
        // Another tenant's streams are counted apart.
        Tenant other = q.newTenant("qd");
        q.client.createTopic(other.adminToken(), other.id(), "c", 1, "{}");
        Stream elsewhere = subscribe(other.adminToken(), "c", Long.MAX_VALUE);

        // Ending one stream (the client half-closes, the server completes it) frees its place.
        first.requests().onCompleted();
        assertNull(first.ended().get(10, TimeUnit.SECONDS));
        await(10_000, "the ended stream released", () -> usage(t.id(), "connections") == 1);
        Stream fourth = subscribe(t.adminToken(), "c", Long.MAX_VALUE);
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("c", 0, QuotaTestSupport.batch(1, 10)));
        await(10_000, "the new stream and the old one deliver", () -> fourth.received().size() == 1 && second.received().size() == 1);
        assertTrue(!fourth.ended().isDone() && !second.ended().isDone());
        assertEquals(2, usage(t.id(), "connections"));
        for (Stream s : List.of(second, fourth, elsewhere)) {
            s.requests().onCompleted();
            s.ended().get(10, TimeUnit.SECONDS);
        }
        await(10_000, "every stream released", () -> usage(t.id(), "connections") == 0);
    }

    @Test
    void aFetchOverTheFetchRateIsThrottledAndASubscriptionIsDelayedInstead() throws Exception {
        Tenant t = q.newTenant("qd");
        q.client.createTopic(t.adminToken(), t.id(), "f", 1, "{}");
        for (int i = 0; i < 3; i++) {
            q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("f", 0, QuotaTestSupport.batch(80, 1_000)));
        }
        q.setQuota(t.id(), "{\"fetchBytesPerSecond\":100000}");
        FetchRequest all = FetchRequest.newBuilder().setTopic("f")
                .addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)).build();
        // Admitted while the budget is positive: everything it reads is answered (about 240 KB).
        FetchResponse first = q.fetcher(t.adminToken()).fetch(all);
        assertEquals(3, first.getPartitions(0).getBatchesCount());
        // The budget is now about -140 KB: a unary fetch is refused with the time until it recovers.
        StatusRuntimeException throttled = refusal("THROTTLED", () -> q.fetcher(t.adminToken()).fetch(all));
        Duration delay = QuotaTestSupport.retryDelay(throttled);
        assertTrue(delay.toMillis() > 1_000 && delay.toMillis() <= 1_500, "retry delay " + delay);

        // A subscription is not refused: its first delivery waits until the budget is positive again.
        String labels = "kind=\"fetch-bytes\",tenant=\"" + t.id() + "\"";
        double delaysBefore = QuotaTestSupport.sample(q.metrics(), "tributary_quota_throttle_delay_seconds_sum", labels);
        Stream stream = subscribe(t.adminToken(), "f", Long.MAX_VALUE);
        await(10_000, "the subscription delivers every batch", () -> stream.received().size() == 3);
        assertTrue(!stream.ended().isDone(), "the stream is still open");
        stream.requests().onCompleted();
        stream.ended().get(10, TimeUnit.SECONDS);
        // The server counted the refused fetch and the subscription's waits: before its first read (for
        // the time the budget still needed when the stream started; the client cannot time that, the
        // refusal took a while to reach it), and before the next read, after this delivery spent the
        // budget again.
        String metrics = q.metrics();
        assertTrue(QuotaTestSupport.sample(metrics, "tributary_quota_throttled_total", labels) >= 2.0, metrics);
        assertTrue(QuotaTestSupport.sample(metrics, "tributary_quota_throttle_delay_seconds_sum", labels) > delaysBefore,
                "the subscription waited");
        // Then the stream's delivery of about 240 KB spent the budget again: a unary fetch is refused.
        refusal("THROTTLED", () -> q.fetcher(t.adminToken()).fetch(all));
    }
}
