package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.serde.Serdes;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.quota.QuotaTestSupport.Tenant;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A noisy neighbour: tenant A produces as fast as it can, far past its produce quota, while tenant
 * B produces at a modest fixed rate on the same node. B is measured alone first, then with A
 * flooding, in the same test; B's throughput and p99 latency must stay within the stated bounds of
 * B alone.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class NoisyNeighbourTest {
    private static final Logger LOG = Logger.getLogger(NoisyNeighbourTest.class);
    /** B: one produce request (one batch of 10 records of 100 bytes) every 40 ms, spread over two partitions. */
    private static final long B_INTERVAL_MS = 40;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    /** Rounds of (B alone, B with A) tried before the test fails; see the test. */
    private static final int ROUNDS = 3;
    /**
     * A's quota: far below what A offers (megabytes a second on an idle two-core machine), and well
     * within what the node can write beside B.
     */
    private static final long A_QUOTA = 100_000;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private QuotaTestSupport q;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void connect() throws Exception {
        q = QuotaTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        q.close();
    }

    /** What B achieved in one window. */
    private record Measured(int sent, int acknowledged, double perSecond, long p50Micros, long p99Micros, long maxMicros) {
        @Override
        public String toString() {
            return String.format("%d sent, %d acknowledged in the window (%.1f/s), latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    sent, acknowledged, perSecond, p50Micros / 1e3, p99Micros / 1e3, maxMicros / 1e3);
        }
    }

    /**
     * B's steady producer for one window: a request every {@link #B_INTERVAL_MS}, asynchronously, so
     * that a slow answer does not delay the next request. Counts the requests acknowledged by the
     * end of the window, and the latency of every acknowledged one.
     */
    private Measured runB(Tenant b) throws Exception {
        ProduceServiceGrpc.ProduceServiceFutureStub stub = ProduceServiceGrpc.newFutureStub(q.channel)
                .withCallCredentials(TestClient.bearer(b.adminToken()));
        byte[] batch = QuotaTestSupport.batch(10, 100);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean open = new AtomicBoolean(true);
        AtomicInteger acknowledgedInWindow = new AtomicInteger();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try {
            ScheduledFuture<?> sending = timer.scheduleAtFixedRate(() -> {
                int n = sent.getAndIncrement();
                long at = System.nanoTime();
                Futures.addCallback(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .produce(QuotaTestSupport.produceRequest("steady", n % 2, batch)), new FutureCallback<ProduceResponse>() {
                            @Override
                            public void onSuccess(ProduceResponse result) {
                                latencies.add((System.nanoTime() - at) / 1_000);
                                if (open.get()) {
                                    acknowledgedInWindow.incrementAndGet();
                                }
                            }

                            @Override
                            public void onFailure(Throwable t) {
                                failed.incrementAndGet();
                                LOG.warnf("B's produce failed: %s", t.toString());
                            }
                        }, MoreExecutors.directExecutor());
            }, 0, B_INTERVAL_MS, TimeUnit.MILLISECONDS);
            Thread.sleep(WINDOW.toMillis());
            sending.cancel(false);
            open.set(false);
            double seconds = (System.nanoTime() - start) / 1e9;
            // Let the last answers arrive, for their latencies.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (latencies.size() + failed.get() < sent.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(failed.get() == 0, failed.get() + " of B's requests failed");
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new Measured(sent.get(), acknowledgedInWindow.get(), acknowledgedInWindow.get() / seconds,
                    sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.get(sorted.size() - 1));
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * A's flood: an SDK client and producer of its own (its own connection), fed by two threads as
     * fast as the producer takes records: it blocks them only while its 8 MiB buffer is full, which
     * it is as long as A is throttled, so A offers its quota many times over and keeps up to 20
     * requests (4 partitions, 5 in flight each) waiting out their retry delays. Requests of at most
     * 64 KiB: a request accepted while the budget is positive takes it at most that far below zero,
     * so A's retry delays stay well below a measuring window.
     */
    private final class Flood implements AutoCloseable {
        final TributaryClient client;
        final Producer<String, String> producer;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong offered = new AtomicLong();
        final ExecutorService senders = Executors.newFixedThreadPool(2);

        Flood(ClientProfile profile) {
            client = TributaryClient.connect(profile);
            producer = client.newProducer(ProducerConfig.builder().set(ProducerConfig.LINGER_MS, 1)
                    .set(ProducerConfig.BATCH_SIZE, 16_384).set(ProducerConfig.MAX_REQUEST_SIZE, 65_536)
                    .set(ProducerConfig.BUFFER_MEMORY, 8 * 1024 * 1024).set(ProducerConfig.DELIVERY_TIMEOUT_MS, 300_000).build(),
                    Serdes.stringSerializer(), Serdes.stringSerializer());
            String value = "a".repeat(4_000);
            for (int i = 0; i < 2; i++) {
                senders.submit(() -> {
                    while (running.get()) {
                        producer.send(new ProducerRecord<>("flood", null, null, null, value, List.of()));
                        offered.addAndGet(value.length());
                    }
                });
            }
        }

        /** Drops what A has not sent; its calls still in flight are cancelled with its connection. */
        @Override
        public void close() throws InterruptedException {
            running.set(false);
            senders.shutdownNow();
            senders.awaitTermination(5, TimeUnit.SECONDS);
            producer.close(Duration.ZERO);
            client.close();
        }
    }

    /**
     * Up to {@link #ROUNDS} rounds of: B alone for a window, then B again while A floods. A round
     * counts only if A really offered far more than its quota in it; it passes if A was throttled
     * and held to its quota and B stayed within the bounds. The test passes at the first round that
     * passes and fails if none does: other builds share this machine, and a burst of their load in
     * one window can make B slow alone or with A alike. A's bound is asserted in every round: a
     * quota that is not enforced fails the test at once.
     */
    @Test
    @Timeout(120)
    void aTenantFarPastItsProduceQuotaDoesNotSlowDownAnother() throws Exception {
        Tenant a = q.newTenant("qn");
        Tenant b = q.newTenant("qn");
        q.client.createTopic(a.adminToken(), a.id(), "flood", 4, "{}");
        q.client.createTopic(b.adminToken(), b.id(), "steady", 2, "{}");
        q.setQuota(a.id(), "{\"produceBytesPerSecond\":" + A_QUOTA + "}");
        // Warm up B's path (token verification, connection, partition ownership) before measuring.
        for (int i = 0; i < 20; i++) {
            q.producer(b.adminToken()).produce(QuotaTestSupport.produceRequest("steady", i % 2, QuotaTestSupport.batch(10, 100)));
        }
        JsonNode account = q.client.createServiceAccount(q.platformAdmin, a.id(), "flood", "tenant-admin");
        ClientProfile profileOfA = new ClientProfile(URI.create("https://" + root.getHost() + ":" + root.getPort()),
                q.client.caFile(), account.get("clientId").asText(), account.get("clientSecret").asText(), null, null);
        double windowSeconds;

        List<String> rounds = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            Measured alone = runB(b);
            Measured withA;
            double throttledA;
            long storedByA;
            long offeredByA;
            try (Flood flood = new Flood(profileOfA)) {
                Thread.sleep(1_500); // past A's burst: A is being throttled from now on
                double throttledBefore = throttles(a.id());
                long storedBefore = q.quota(a.id()).get("usage").get("storageBytes").asLong();
                long offeredBefore = flood.offered.get();
                long started = System.nanoTime();
                withA = runB(b);
                double seconds = (System.nanoTime() - started) / 1e9;
                throttledA = throttles(a.id()) - throttledBefore;
                storedByA = q.quota(a.id()).get("usage").get("storageBytes").asLong() - storedBefore;
                offeredByA = flood.offered.get() - offeredBefore;
                windowSeconds = seconds;
            }
            String report = String.format("round %d: B alone: %s; B with A flooding: %s; A offered %d bytes, was throttled %.0f"
                    + " times, stored %d bytes (%.0f B/s under a quota of %d B/s)", round, alone, withA, offeredByA, throttledA,
                    storedByA, storedByA / windowSeconds, A_QUOTA);
            LOG.info(report);
            rounds.add(report);
            // A was held to its quota (its usage reads bracket the window loosely: +1 s, plus one request
            // of up to 64 KiB accepted while the budget was positive), in every round.
            assertTrue(storedByA <= A_QUOTA * (windowSeconds + 1) + 65_536, "A held to its quota: " + report);
            if (throttledA == 0 || storedByA < 0.5 * A_QUOTA * windowSeconds) {
                // A was not pushing past its quota, or not even writing at it: the machine is too busy
                // for this round to show anything.
                continue;
            }
            // The bounds, stated: B's throughput at least 90% of B alone's; its p99 latency at most twice
            // B alone's, or B alone's plus 20 ms where that is more (a few ms on an idle machine are noise).
            // (An A without a quota wrote 7 to 28 MB/s on the two-core development machine and took B's
            // p99 to 1.1 to 3.5 times B alone's: what catches a quota that is not enforced is A's bound above.)
            long bound = Math.max(2 * alone.p99Micros(), alone.p99Micros() + 20_000);
            if (withA.perSecond() >= 0.9 * alone.perSecond() && withA.p99Micros() <= bound) {
                return;
            }
        }
        throw new AssertionError("B was slowed down beyond the bounds (throughput >= 90% of alone, p99 <= max(2 x alone,"
                + " alone + 20 ms)) in every round, or A was never both throttled and writing at its quota:\n"
                + String.join("\n", rounds));
    }

    private double throttles(String tenant) throws Exception {
        Double value = QuotaTestSupport.sample(q.metrics(), "tributary_quota_throttled_total",
                "kind=\"produce-bytes\",tenant=\"" + tenant + "\"");
        return value == null ? 0 : value;
    }
}
