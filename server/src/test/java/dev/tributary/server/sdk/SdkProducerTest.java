package dev.tributary.server.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.ClientProfile;
import dev.tributary.client.Header;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.producer.Murmur2;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.client.serde.Serdes;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.ownership.PodOwnership;
import dev.tributary.record.CompressionCodec;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.sdk.SdkTestSupport.Account;
import dev.tributary.server.sdk.SdkTestSupport.StoredRecord;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK producer against the real server over TLS, authenticating with a service account's
 * client credentials (the SDK fetches its tokens from the server's issuer). What was stored is
 * read back with the raw gRPC Fetch, not with the SDK consumer.
 *
 * <p>Partition ownership by another node is simulated as in OwnershipDataPlaneTest: a second
 * {@link PodOwnership} over the server's own store, on topics created through {@link TopicStore}
 * so that the server's balancer leaves their partitions alone.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkProducerTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    TopicStore topics;

    private SdkTestSupport support;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void connect() throws Exception {
        support = SdkTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        support.close();
    }

    private TributaryClient client(ClientProfile profile) {
        TributaryClient client = TributaryClient.connect(profile);
        resources.add(client);
        return client;
    }

    private Producer<String, String> producer(TributaryClient client, Map<String, Object> settings) {
        ProducerConfig.Builder builder = ProducerConfig.builder();
        settings.forEach(builder::set);
        Producer<String, String> producer = client.newProducer(builder.build(), Serdes.stringSerializer(), Serdes.stringSerializer());
        resources.add(() -> producer.close(Duration.ofSeconds(5)));
        return producer;
    }

    private static TributaryException failure(CompletableFuture<RecordMetadata> future, long seconds) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(seconds, TimeUnit.SECONDS));
        return assertInstanceOf(TributaryException.class, e.getCause());
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Another "node" owning a partition of an untracked topic, reachable (or not) at {@code endpoint}. */
    private PodOwnership otherNodeOwning(TopicMetadata topic, String tenant, int partition, String endpoint) {
        // A lease far longer than any test, so the server never declares it dead meanwhile.
        PodOwnership other = new PodOwnership(store, "simulated-" + UUID.randomUUID(), endpoint, 120_000);
        other.register();
        resources.add(other::deregister);
        other.acquire(new PartitionRef(tenant, topic.id(), partition));
        return other;
    }

    @Test
    @Timeout(120)
    void recordsAcrossPartitionsAreStoredOnceAtTheirOffsetsInSendOrder() throws Exception {
        Account account = support.newTenant("sdkp");
        support.createTopic(account, "events", 4);
        TributaryClient client = client(support.profile(account));
        // Small batches, so that the run makes many of them (and sticky partitioning moves often);
        // the default max.in.flight.requests.per.partition (5): several calls per partition in
        // flight at once, which the server appends in the order they were sent.
        Producer<String, String> producer = producer(client, Map.of("linger.ms", 5, "batch.size", 4096));
        assertEquals(List.of(new TopicPartition("events", 0), new TopicPartition("events", 1), new TopicPartition("events", 2),
                new TopicPartition("events", 3)), producer.partitionsFor("events"));

        int threads = 4;
        int perThread = 1_500;
        Map<String, CompletableFuture<RecordMetadata>> sent = new ConcurrentHashMap<>();
        Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger callbacks = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(senders.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String value = "t" + thread + "-" + i;
                        // Every other record keyed (37 keys, shared by all threads), the others without key.
                        String key = i % 2 == 0 ? "user-" + (i % 37) : null;
                        List<Header> headers = i % 100 == 0 ? List.of(new Header("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8)))
                                : List.of();
                        sent.put(value, producer.send(new ProducerRecord<>("events", null, null, key, value, headers), (md, e) -> {
                            callbackThreads.add(Thread.currentThread().getName());
                            callbacks.incrementAndGet();
                        }));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        producer.flush();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        int total = threads * perThread;
        Map<String, RecordMetadata> acknowledged = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<RecordMetadata>> e : sent.entrySet()) {
            assertTrue(e.getValue().isDone(), "flush waited for " + e.getKey());
            acknowledged.put(e.getKey(), e.getValue().get());
        }
        assertEquals(total, acknowledged.size());
        assertEquals(total, callbacks.get(), "one callback per record");
        assertTrue(callbackThreads.stream().allMatch(n -> n.startsWith("tributary-producer-")), "callbacks on the I/O thread: "
                + callbackThreads);

        List<StoredRecord> stored = new ArrayList<>();
        Set<Integer> unkeyedPartitions = new HashSet<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            List<StoredRecord> partition = support.fetchAll(account, "events", p);
            stored.addAll(partition);
            Map<Integer, Integer> lastIndexPerThread = new HashMap<>();
            for (StoredRecord r : partition) {
                RecordMetadata md = acknowledged.get(r.value());
                assertNotNull(md, "stored but never sent: " + r.value());
                assertEquals(p, md.partition(), r.value());
                assertEquals(r.offset(), md.offset(), "stored at the acknowledged offset: " + r.value());
                int thread = Integer.parseInt(r.value().substring(1, r.value().indexOf('-')));
                int index = Integer.parseInt(r.value().substring(r.value().indexOf('-') + 1));
                Integer previous = lastIndexPerThread.put(thread, index);
                assertTrue(previous == null || previous < index, "send order within the partition: " + previous + " then " + index);
                if (r.key() == null) {
                    unkeyedPartitions.add(p);
                } else {
                    assertEquals(Murmur2.partition(r.key().getBytes(StandardCharsets.UTF_8), 4), p, "murmur2 partition of " + r.key());
                    Integer earlier = partitionOfKey.put(r.key(), p);
                    assertTrue(earlier == null || earlier == p, "key " + r.key() + " on one partition");
                }
                if (index % 100 == 0) {
                    assertEquals(1, r.headers().size());
                    assertArrayEquals(Integer.toString(index).getBytes(StandardCharsets.UTF_8), r.headers().get(0).value());
                }
            }
        }
        assertEquals(total, stored.size(), "every record stored once");
        assertEquals(total, stored.stream().map(StoredRecord::value).distinct().count(), "no record stored twice");
        assertEquals(37, partitionOfKey.size());
        assertTrue(unkeyedPartitions.size() >= 2, "records without key spread by batch: " + unkeyedPartitions);
        System.out.printf("SdkProducerTest: %d records (4 threads, 4 partitions, batch.size 4096, linger 5 ms, max.in.flight 5) "
                + "acknowledged in %d ms%n", total, elapsedMs);
    }

    @Test
    @Timeout(60)
    void compressedBatchesRoundTrip() throws Exception {
        Account account = support.newTenant("sdkz");
        for (String codec : List.of("lz4", "zstd")) {
            String topic = "compressed-" + codec;
            support.createTopic(account, topic, 1);
            Producer<String, String> producer = producer(client(support.profile(account)), Map.of("compression.type", codec,
                    "linger.ms", 50));
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String value = "{\"order\":" + i + ",\"status\":\"shipped\",\"carrier\":\"tributary-express\"}";
                values.add(value);
                futures.add(producer.send(new ProducerRecord<>(topic, "k" + (i % 5), value)));
            }
            producer.flush();
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(i, futures.get(i).get().offset());
            }
            List<StoredRecord> stored = support.fetchAll(account, topic, 0);
            assertEquals(values, stored.stream().map(StoredRecord::value).toList());
            CompressionCodec expected = CompressionCodec.valueOf(codec.toUpperCase(java.util.Locale.ROOT));
            assertTrue(stored.stream().allMatch(r -> r.compression() == expected), codec + " batches stored as sent");
            // 500 records of ~70 bytes in few batches: compressed, far fewer bytes than the records.
            int largestBatch = stored.stream().mapToInt(StoredRecord::batchBytes).max().orElseThrow();
            assertTrue(largestBatch < 500 * 70 / 3, codec + ": stored batch of " + largestBatch + " bytes");
        }
    }

    @Test
    @Timeout(60)
    void acksNoneAnswersWithoutOffsetsAndStillStores() throws Exception {
        Account account = support.newTenant("sdkn");
        support.createTopic(account, "fire-and-forget", 2);
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("acks", "none", "linger.ms", 0));
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(producer.send(new ProducerRecord<>("fire-and-forget", 1, null, "v" + i)));
        }
        producer.flush();
        for (CompletableFuture<RecordMetadata> f : futures) {
            RecordMetadata md = f.get();
            assertEquals(-1, md.offset());
            assertFalse(md.hasOffset());
            assertEquals(-1, md.logAppendTime());
            assertEquals(1, md.partition());
        }
        // Answered before the commit: the records appear shortly after.
        SdkTestSupport.awaitCondition(10_000, "100 records stored", () -> support.fetchAll(account, "fire-and-forget", 1).size() == 100);
        List<String> values = support.fetchAll(account, "fire-and-forget", 1).stream().map(StoredRecord::value).toList();
        for (int i = 0; i < 100; i++) {
            assertEquals("v" + i, values.get(i));
        }
    }

    @Test
    @Timeout(60)
    void failuresCarryTheServersCode() throws Exception {
        Account account = support.newTenant("sdke");
        support.createTopic(account, "known", 2);
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 0, "batch.size", 1024));

        AtomicInteger callbackFailures = new AtomicInteger();
        TributaryException unknown = failure(producer.send(new ProducerRecord<>("nowhere", "v"), (md, e) -> {
            if (e instanceof TributaryException te && te.code().equals("UNKNOWN_TOPIC")) {
                callbackFailures.incrementAndGet();
            }
        }), 10);
        assertEquals("UNKNOWN_TOPIC", unknown.code());
        assertEquals(1, callbackFailures.get(), "the callback saw the same failure");

        TributaryException partition = failure(producer.send(new ProducerRecord<>("known", 2, "k", "v")), 10);
        assertEquals("UNKNOWN_PARTITION", partition.code());
        assertTrue(partition.getMessage().contains("partitions 0..1, not 2"), partition.getMessage());

        long before = System.nanoTime();
        TributaryException tooLarge = failure(producer.send(new ProducerRecord<>("known", "k", "x".repeat(2000))), 10);
        assertEquals("RECORD_TOO_LARGE", tooLarge.code());
        assertTrue(tooLarge.getMessage().contains("more than batch.size (1024 bytes)"), tooLarge.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before) < 1_000, "refused at once, without a round trip");

        // The tenant's own topic works, and nothing of the failures was stored.
        assertEquals(0, producer.send(new ProducerRecord<>("known", 0, "k", "ok")).get(10, TimeUnit.SECONDS).offset());
        assertEquals(1, support.fetchAll(account, "known", 0).size());
        assertEquals(0, support.fetchAll(account, "known", 1).size());
    }

    @Test
    @Timeout(60)
    void batchesAboveTheTopicsMaxMessageBytesAreSplitAndOversizedRecordsFail() throws Exception {
        Account account = support.newTenant("sdks");
        support.createTopic(account, "small-batches", 1, "{\"max.message.bytes\":\"1024\"}");
        // batch.size far above the topic's limit: the producer learns the limit from the refusals.
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 200, "batch.size", 65536,
                "max.in.flight.requests.per.partition", 1));
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(producer.send(new ProducerRecord<>("small-batches", String.format("record-%03d-%s", i, "p".repeat(40)))));
        }
        producer.flush();
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(i, futures.get(i).get().offset(), "split halves keep the order");
        }
        List<StoredRecord> stored = support.fetchAll(account, "small-batches", 0);
        assertEquals(300, stored.size());
        for (int i = 0; i < 300; i++) {
            assertTrue(stored.get(i).value().startsWith(String.format("record-%03d-", i)));
            assertTrue(stored.get(i).batchBytes() <= 1024, "stored batch of " + stored.get(i).batchBytes());
        }

        // A single record above the topic's limit cannot be split: the server's refusal stands.
        TributaryException refused = failure(producer.send(new ProducerRecord<>("small-batches", "y".repeat(1500))), 10);
        assertEquals("RECORD_TOO_LARGE", refused.code());
        assertTrue(refused.getMessage().contains("max.message.bytes"), refused.getMessage());
    }

    @Test
    @Timeout(60)
    void credentialsTheServerRefuses() throws Exception {
        Account account = support.newTenant("sdka");
        support.createTopic(account, "guarded", 1);

        ClientProfile wrongSecret = new ClientProfile(support.endpoint, support.caFile, account.clientId(), "not-the-secret", null, null);
        TributaryException unauthenticated = failure(producer(client(wrongSecret), Map.of()).send(new ProducerRecord<>("guarded", "v")),
                10);
        assertEquals("UNAUTHENTICATED", unauthenticated.code());
        assertTrue(unauthenticated.getMessage().contains("invalid_client"), unauthenticated.getMessage());

        // The platform administrator belongs to no tenant: the data plane refuses it.
        ClientProfile admin = ClientProfile.load(config.dataDir().resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME));
        TributaryException denied = failure(producer(client(admin), Map.of()).send(new ProducerRecord<>("guarded", "v")), 10);
        assertEquals("FORBIDDEN", denied.code());
        assertEquals(io.grpc.Status.Code.PERMISSION_DENIED, io.grpc.Status.fromThrowable(denied.getCause()).getCode());

        // Another tenant's credentials: the topic name resolves in that tenant, where it does not exist.
        Account stranger = support.newTenant("sdkx");
        TributaryException isolated = failure(producer(client(support.profile(stranger)), Map.of())
                .send(new ProducerRecord<>("guarded", "v")), 10);
        assertEquals("UNKNOWN_TOPIC", isolated.code());
        assertEquals(0, support.fetchAll(account, "guarded", 0).size());
    }

    @Test
    @Timeout(60)
    void anUnreachableServerFailsTheSendWithinTheBound() throws Exception {
        Account account = support.newTenant("sdku");
        ClientProfile nowhere = new ClientProfile(URI.create("https://localhost:" + closedPort()), support.caFile, account.clientId(),
                account.clientSecret(), null, null);
        Producer<String, String> producer = producer(client(nowhere), Map.of("max.block.ms", 1_500, "delivery.timeout.ms", 3_000,
                "retry.backoff.ms", 50, "retry.backoff.max.ms", 200));
        long started = System.nanoTime();
        TributaryException e = failure(producer.send(new ProducerRecord<>("events", "v")), 15);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(TributaryException.TIMEOUT, e.code(), e.getMessage());
        TributaryException cause = assertInstanceOf(TributaryException.class, e.getCause(), "the last failure is kept");
        assertEquals(TributaryException.TRANSPORT, cause.code());
        assertTrue(elapsedMs >= 1_400 && elapsedMs < 5_000, "failed after max.block.ms: " + elapsedMs + " ms");
    }

    @Test
    @Timeout(60)
    void aPartitionWhoseOwnerIsUnreachableFailsAfterDeliveryTimeout() throws Exception {
        Account account = support.newTenant("sdkd");
        TopicMetadata topic = topics.create(account.tenant(), "stranded", 2, Map.of());
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 0,
                "delivery.timeout.ms", 2_500, "request.timeout.ms", 1_000, "retry.backoff.ms", 50, "retry.backoff.max.ms", 300));
        assertEquals(2, producer.partitionsFor("stranded").size());
        otherNodeOwning(topic, account.tenant(), 0, "https://localhost:" + closedPort());

        long started = System.nanoTime();
        CompletableFuture<RecordMetadata> stranded = producer.send(new ProducerRecord<>("stranded", 0, null, "lost"));
        // Once partition 0's batch follows the redirect to its (dead) owner, partition 1's records travel
        // in calls of their own. (Sent in the same call as the refused batch, a record of partition 1
        // could be stored and then resent: at-least-once.)
        Thread.sleep(300);
        CompletableFuture<RecordMetadata> fine = producer.send(new ProducerRecord<>("stranded", 1, null, "kept"));
        assertEquals(0, fine.get(10, TimeUnit.SECONDS).offset(), "the other partition is not held up");
        assertFalse(stranded.isDone());
        TributaryException e = failure(stranded, 15);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(TributaryException.TIMEOUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("delivery.timeout.ms (2500 ms)"), e.getMessage());
        assertTrue(elapsedMs >= 2_400 && elapsedMs < 6_000, "failed at the delivery deadline: " + elapsedMs + " ms");
        assertEquals(0, support.fetchAll(account, "stranded", 0).size());
        assertEquals(List.of("kept"), support.fetchAll(account, "stranded", 1).stream().map(StoredRecord::value).toList());
    }

    @Test
    @Timeout(60)
    void notOwnerRedirectsToTheOwnerAndKeepsOrder() throws Exception {
        Account account = support.newTenant("sdkr");
        TopicMetadata topic = topics.create(account.tenant(), "moved", 1, Map.of());
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 0,
                "max.in.flight.requests.per.partition", 1, "request.timeout.ms", 1_000, "delivery.timeout.ms", 30_000,
                "retry.backoff.ms", 50, "retry.backoff.max.ms", 200));
        // The producer learns the layout while this node would take the partition...
        assertEquals(1, producer.partitionsFor("moved").size());
        try (PausableTcpProxy owner = new PausableTcpProxy(root.getPort())) {
            // ...then another node, reachable only through the (paused) relay, takes it.
            PodOwnership other = otherNodeOwning(topic, account.tenant(), 0, "https://localhost:" + owner.port());
            owner.pause();
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(producer.send(new ProducerRecord<>("moved", "v" + i)));
            }
            Thread.sleep(1_000);
            assertFalse(futures.get(0).isDone(), "this node refused (NOT_OWNER) and the owner does not answer");

            // This node could now take the partition itself; the producer keeps sending to the owner it was told about.
            other.deregister();
            Thread.sleep(1_500);
            assertFalse(futures.get(0).isDone(), "sent to the owner endpoint, not back to this node");

            owner.resume();
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(i, futures.get(i).get(20, TimeUnit.SECONDS).offset());
            }
        }
        List<String> stored = support.fetchAll(account, "moved", 0).stream().map(StoredRecord::value).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("v" + i);
        }
        assertEquals(expected, stored, "every record once, in send order");
    }

    @Test
    @Timeout(60)
    void flushSendsLingeringRecordsAndCloseFailsWhatCannotBeSent() throws Exception {
        Account account = support.newTenant("sdkc");
        TopicMetadata topic = topics.create(account.tenant(), "closing", 2, Map.of());
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 60_000,
                "retry.backoff.ms", 50, "retry.backoff.max.ms", 200));
        List<CompletableFuture<RecordMetadata>> lingering = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lingering.add(producer.send(new ProducerRecord<>("closing", 1, null, "l" + i)));
        }
        Thread.sleep(300);
        assertTrue(lingering.stream().noneMatch(CompletableFuture::isDone), "waiting for linger.ms");
        long flushStarted = System.nanoTime();
        producer.flush();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flushStarted) < 5_000);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, lingering.get(i).getNow(null).offset());
        }

        otherNodeOwning(topic, account.tenant(), 0, "https://localhost:" + closedPort());
        List<CompletableFuture<RecordMetadata>> stuck = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stuck.add(producer.send(new ProducerRecord<>("closing", 0, null, "s" + i)));
        }
        long closeStarted = System.nanoTime();
        producer.close(Duration.ofMillis(500));
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
        assertTrue(closeMs >= 450 && closeMs < 5_000, "close waited for the timeout, then stopped: " + closeMs + " ms");
        for (CompletableFuture<RecordMetadata> f : stuck) {
            assertEquals(TributaryException.CLOSED, failure(f, 1).code());
        }
        assertEquals(TributaryException.CLOSED, failure(producer.send(new ProducerRecord<>("closing", 1, null, "late")), 1).code());
        assertEquals(10, support.fetchAll(account, "closing", 1).size());
    }

    @Test
    @Timeout(30)
    void closeWaitsForWhatIsQueued() throws Exception {
        Account account = support.newTenant("sdkq");
        support.createTopic(account, "drained", 3);
        Producer<String, String> producer = producer(client(support.profile(account)), Map.of("linger.ms", 60_000));
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(producer.send(new ProducerRecord<>("drained", "k" + i, "v" + i)));
        }
        producer.close();
        for (CompletableFuture<RecordMetadata> f : futures) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally(), "close() sends what was queued, lingering or not");
        }
        int stored = 0;
        for (int p = 0; p < 3; p++) {
            stored += support.fetchAll(account, "drained", p).size();
        }
        assertEquals(300, stored);
    }
}
