package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.ownership.OwnershipView;
import dev.tributary.ownership.PartitionOwner;
import dev.tributary.ownership.PodInfo;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.DataPlanePods;
import dev.tributary.server.testing.EndpointChannels;
import dev.tributary.server.testing.RedirectingProducer;
import dev.tributary.server.testing.RedirectingProducer.Ack;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partition ownership across pods, end to end: the server under test plus three more data-plane
 * pods (each a {@link DataPlaneListener} with its own TLS gRPC listener on loopback) over the
 * server's one store, in this JVM. Producers with acks=DURABLE follow the owners (Metadata from any
 * pod, NOT_OWNER redirects); mid-stream the pod owning the most partitions is stopped, gracefully
 * (it deregisters) or as a crash (its lease has to expire), and the producers must carry on
 * through the new owners. Afterwards every partition is read back from every live pod, owners and
 * non-owners alike: offsets dense from 0, each offset once, every acknowledged record at exactly
 * the offset its acknowledgement gave, and nothing twice except records whose earlier attempt
 * failed in a way that may have written it. The leader epoch of every partition that moved went
 * up, and the old owner's epoch is fenced in the store.
 *
 * <p>The extra pods run with a lease of {@value #POD_LEASE_MS} ms; the server keeps its default
 * (10 s): leases differ per pod, and expiry waits for the longer of the two.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class PodFailoverTest {
    private static final Logger LOG = Logger.getLogger(PodFailoverTest.class);
    private static final long POD_LEASE_MS = 600;
    private static final int PARTITIONS = 6;
    private static final int PRODUCERS = 4;
    private static final int EXTRA_PODS = 3;
    /** Acknowledgements per partition before the stop, and per moved partition from its new owner after it. */
    private static final int ACKS_PER_PHASE = 5;

    private enum Stop { GRACEFUL, CRASH }

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    TopicStore topics;
    @Inject
    PartitionLog log;
    @Inject
    LocalNode server;
    @Inject
    TokenIssuer issuer;
    @Inject
    SigningKeyStore signingKeys;
    @Inject
    ServiceAccountService accounts;

    private TestClient client;
    private String admin;
    private EndpointChannels channels;
    private DataPlanePods pods;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channels = new EndpointChannels(client.caFile());
        pods = new DataPlanePods(store, config.dataDir(),
                DataPlanePods.config(Map.of("tributary.data-plane.ownership.lease", POD_LEASE_MS + "ms",
                        "tributary.data-plane.storage-threads", "4")),
                new BearerTokenVerifier(signingKeys, issuer.issuer(), accounts::exists));
    }

    @AfterEach
    void disconnect() throws Exception {
        if (pods != null) {
            pods.close();
        }
        if (channels != null) {
            channels.close();
        }
    }

    @Test
    void producersFollowTheNewOwnerWhenTheOwnerLeavesGracefully() throws Exception {
        failover(Stop.GRACEFUL);
    }

    @Test
    void producersFollowTheNewOwnerWhenTheOwnerCrashesAndItsLeaseExpires() throws Exception {
        failover(Stop.CRASH);
    }

    private void failover(Stop stop) throws Exception {
        long started = System.nanoTime();
        String tenant = TestClient.uniqueId("fo");
        String token = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        client.createTopic(admin, tenant, "orders", PARTITIONS, "{}");
        TopicMetadata topic = topics.get(tenant, "orders");

        List<DataPlaneListener> extra = new ArrayList<>();
        for (int i = 0; i < EXTRA_PODS; i++) {
            extra.add(pods.start("pod-" + (char) ('a' + i)));
        }
        List<String> endpoints = new ArrayList<>(List.of(server.endpoint()));
        extra.forEach(p -> endpoints.add(p.endpoint()));
        OwnershipView view = new OwnershipView(store);
        // The topic is tracked (created through the API), so balancing hands its free partitions to
        // the new pods, which are below their share. (Shares count every tracked partition in the
        // store, other tests' too, so which pod gets how many of these six is not fixed.)
        awaitTrue(Duration.ofSeconds(10), List.of(), () -> extra.stream().anyMatch(p -> owned(view, tenant, topic, p.nodeId()) > 0),
                "an extra pod claims partitions of the topic");

        RedirectingProducer producer = new RedirectingProducer(channels, token, "orders", endpoints);
        Queue<Ack> acks = new ConcurrentLinkedQueue<>();
        // A produce sent to a pod that does not own the partition is redirected to the one that does.
        // (Balancing may still move a partition between the look-up and the send: then look again.)
        boolean redirectedToOwner = false;
        for (int attempt = 0; attempt < 5 && !redirectedToOwner; attempt++) {
            PartitionOwner owner = view.owners(tenant, topic.id()).values().stream()
                    .filter(o -> !o.podId().equals(server.nodeId())).findFirst().orElseThrow();
            String elsewhere = endpoints.stream().filter(e -> !e.equals(owner.endpoint())).findFirst().orElseThrow();
            int redirectsBefore = producer.redirects();
            Ack ack = producer.sendFirstTo(elsewhere, owner.partition().partition(), "redirected-" + attempt, Duration.ofSeconds(20));
            acks.add(ack);
            redirectedToOwner = producer.redirects() == redirectsBefore + 1 && ack.endpoint().equals(owner.endpoint());
        }
        assertTrue(redirectedToOwner, "NOT_OWNER from a pod that does not own the partition names the owner, which acknowledges");
        ExecutorService threads = Executors.newFixedThreadPool(PRODUCERS);
        List<Future<?>> running = new ArrayList<>();
        Stopping producing = new Stopping();
        for (int k = 0; k < PRODUCERS; k++) {
            int producerId = k;
            running.add(threads.submit(() -> {
                for (int seq = 0; !producing.stopped; seq++) {
                    acks.add(producer.send((producerId + seq) % PARTITIONS, "p" + producerId + "-" + seq, Duration.ofSeconds(20)));
                }
                return null;
            }));
        }
        try {
            awaitTrue(Duration.ofSeconds(20), running, () -> minAcksPerPartition(acks, PARTITIONS) >= ACKS_PER_PHASE,
                    "every partition acknowledged records before the stop");

            // The victim: the extra pod owning most partitions now.
            Map<Integer, PartitionOwner> owners = view.owners(tenant, topic.id());
            DataPlaneListener victim = extra.get(0);
            for (DataPlaneListener p : extra) {
                if (owned(owners, p.nodeId()) > owned(owners, victim.nodeId())) {
                    victim = p;
                }
            }
            Map<Integer, Long> movedEpochs = new TreeMap<>();
            for (PartitionOwner o : owners.values()) {
                if (o.podId().equals(victim.nodeId())) {
                    movedEpochs.put(o.partition().partition(), o.leaderEpoch());
                }
            }
            assertFalse(movedEpochs.isEmpty(), "the victim owns partitions: " + owners);
            int acksBefore = acks.size();

            long stopAt = System.nanoTime();
            String victimId = victim.nodeId();
            if (stop == Stop.GRACEFUL) {
                victim.stop();
                assertFalse(registered(view, victimId), "a graceful stop deregisters at once");
            } else {
                victim.halt();
                assertTrue(registered(view, victimId), "a crash leaves the registration behind");
            }
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
            String gone = victim.endpoint();
            awaitTrue(Duration.ofSeconds(10), running, () -> movedPartitionsAckedElsewhere(acks, movedEpochs.keySet(), gone, stopAt)
                    >= movedEpochs.size(), "every moved partition acknowledged records from its new owner");
            producing.stopped = true;
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS); // rethrows what a producer failed with
            }

            // What the stop did to ownership.
            Map<Integer, Long> failoverMillis = firstAckElsewhereMillis(acks, movedEpochs.keySet(), gone, stopAt);
            for (Map.Entry<Integer, Long> moved : movedEpochs.entrySet()) {
                int p = moved.getKey();
                long epochNow = log.leaderEpoch(tenant, topic.id(), p);
                assertTrue(epochNow > moved.getValue(), "partition " + p + ": leader epoch " + moved.getValue() + " -> " + epochNow);
            }
            if (stop == Stop.CRASH) {
                // Nobody could take the partitions before another pod expired the registration.
                assertFalse(registered(view, victimId), "the crashed pod's registration was expired by the others");
            }
            // The old owner's epoch is fenced in the store, whatever it might still try.
            int fencedPartition = movedEpochs.keySet().iterator().next();
            byte[] stale = RecordBatch.builder().append(1, null, "zombie".getBytes(StandardCharsets.UTF_8)).build();
            LogException fenced = assertThrows(LogException.class,
                    () -> log.append(tenant, topic.id(), fencedPartition, stale, movedEpochs.get(fencedPartition)));
            assertEquals(LogErrorCode.FENCED_LEADER_EPOCH, fenced.code());

            List<String> live = new ArrayList<>(endpoints);
            live.remove(gone);
            verifyLog(token, topic, live, acks);
            LOG.infof("%s stop of %s (owned partitions %s) took %d ms: %d acks before, %d after; first ack by the new owner"
                    + " after %s ms; %d NOT_OWNER redirects, %d retries; %d ms in all", stop, victimId, movedEpochs.keySet(),
                    stopMillis, acksBefore, acks.size() - acksBefore, failoverMillis, producer.redirects(), producer.retries(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            producing.stopped = true;
            threads.shutdownNow();
            threads.awaitTermination(30, TimeUnit.SECONDS);
            client.delete("/v1/tenants/" + tenant + "/topics/orders", admin);
        }
    }

    /**
     * Reads every partition from every live pod: the same records everywhere, offsets dense from 0
     * with no offset twice, every acknowledgement at its offset, no record twice unless an earlier
     * attempt of it may have been written.
     */
    private void verifyLog(String token, TopicMetadata topic, List<String> endpoints, Queue<Ack> acks) {
        Map<String, Ack> byValue = new HashMap<>();
        Map<String, Ack> byOffset = new HashMap<>();
        for (Ack a : acks) {
            assertNull(byValue.put(a.value(), a), "acknowledged once: " + a.value());
            Ack other = byOffset.put(a.partition() + "@" + a.offset(), a);
            assertNull(other, "two acknowledgements for offset " + a.offset() + " of partition " + a.partition() + ": " + a + ", " + other);
        }
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> reference = null;
            for (String endpoint : endpoints) {
                List<String> records = readPartition(endpoint, token, topic.name(), p);
                if (reference == null) {
                    reference = records;
                } else {
                    assertEquals(reference, records, "partition " + p + " reads the same from " + endpoint);
                }
            }
            Map<String, Integer> copies = new HashMap<>();
            for (int offset = 0; offset < reference.size(); offset++) {
                String value = reference.get(offset);
                copies.merge(value, 1, Integer::sum);
                Ack ack = byOffset.get(p + "@" + offset);
                if (ack != null) {
                    assertEquals(ack.value(), value, "partition " + p + " offset " + offset + " holds what was acknowledged there");
                }
            }
            for (Ack a : acks) {
                if (a.partition() == p) {
                    assertTrue(a.offset() < reference.size(), "acknowledged offset " + a.offset() + " of partition " + p + " is in the log");
                }
            }
            for (Map.Entry<String, Integer> c : copies.entrySet()) {
                Ack ack = byValue.get(c.getKey());
                int allowed = 1 + (ack == null ? 0 : ack.maybeWrittenBefore());
                assertTrue(c.getValue() <= allowed, c.getKey() + " is in partition " + p + " " + c.getValue() + " times; "
                        + "only attempts that may have been written can add copies (" + ack + ")");
            }
        }
    }

    /** The values of a partition by offset, read through the pod at {@code endpoint}; checks that batches are dense. */
    private List<String> readPartition(String endpoint, String token, String topic, int partition) {
        FetchServiceGrpc.FetchServiceBlockingStub fetcher = FetchServiceGrpc.newBlockingStub(channels.channel(endpoint))
                .withCallCredentials(TestClient.bearer(token));
        List<String> values = new ArrayList<>();
        long next = 0;
        long highWatermark = -1;
        while (highWatermark < 0 || next < highWatermark) {
            PartitionData data = fetcher.withDeadlineAfter(10, TimeUnit.SECONDS).fetch(FetchRequest.newBuilder().setTopic(topic)
                    .addPartitions(PartitionFetch.newBuilder().setPartition(partition).setOffset(next).setMaxBytes(256 * 1024))
                    .build()).getPartitions(0);
            if (highWatermark < 0) {
                highWatermark = data.getHighWatermark();
                assertEquals(0, data.getLogStartOffset(), "nothing was deleted");
            }
            for (com.google.protobuf.ByteString bytes : data.getBatchesList()) {
                RecordBatch batch = RecordBatch.parse(bytes.toByteArray());
                assertEquals(next, batch.baseOffset(), "partition " + partition + " from " + endpoint + ": dense offsets, none twice");
                for (Record r : batch) {
                    assertEquals(next, r.offset());
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                    next++;
                }
            }
            if (data.getBatchesCount() == 0 && next < highWatermark) {
                throw new AssertionError("partition " + partition + " from " + endpoint + ": no batch at " + next + " below " + highWatermark);
            }
        }
        assertEquals(highWatermark, next, "partition " + partition + " from " + endpoint + " ends at its high watermark");
        return values;
    }

    private static final class Stopping {
        volatile boolean stopped;
    }

    private static boolean registered(OwnershipView view, String podId) {
        return view.pods().stream().map(PodInfo::podId).anyMatch(podId::equals);
    }

    private static int owned(OwnershipView view, String tenant, TopicMetadata topic, String podId) {
        return owned(view.owners(tenant, topic.id()), podId);
    }

    private static int owned(Map<Integer, PartitionOwner> owners, String podId) {
        return (int) owners.values().stream().filter(o -> o.podId().equals(podId)).count();
    }

    private static int minAcksPerPartition(Queue<Ack> acks, int partitions) {
        int[] counts = new int[partitions];
        acks.forEach(a -> counts[a.partition()]++);
        int min = Integer.MAX_VALUE;
        for (int c : counts) {
            min = Math.min(min, c);
        }
        return min;
    }

    /** How many of the moved partitions have {@value #ACKS_PER_PHASE} acknowledgements from pods other than {@code gone} after the stop. */
    private static long movedPartitionsAckedElsewhere(Queue<Ack> acks, Set<Integer> moved, String gone, long stopAt) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (Ack a : acks) {
            if (moved.contains(a.partition()) && a.ackedAtNanos() > stopAt && !a.endpoint().equals(gone)) {
                counts.merge(a.partition(), 1, Integer::sum);
            }
        }
        return counts.values().stream().filter(c -> c >= ACKS_PER_PHASE).count();
    }

    /** Per moved partition: milliseconds from the stop to its first acknowledgement by another pod. */
    private static Map<Integer, Long> firstAckElsewhereMillis(Queue<Ack> acks, Set<Integer> moved, String gone, long stopAt) {
        Map<Integer, Long> first = new TreeMap<>();
        for (Ack a : acks) {
            if (moved.contains(a.partition()) && a.ackedAtNanos() > stopAt && !a.endpoint().equals(gone)) {
                first.merge(a.partition(), TimeUnit.NANOSECONDS.toMillis(a.ackedAtNanos() - stopAt), Math::min);
            }
        }
        return first;
    }

    /** Waits for {@code condition}; fails at once with a producer's own failure if one of {@code producers} ended. */
    private static void awaitTrue(Duration timeout, List<Future<?>> producers, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            for (Future<?> f : producers) {
                if (f.isDone()) {
                    f.get(); // throws what it failed with
                    throw new AssertionError("a producer ended early");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
