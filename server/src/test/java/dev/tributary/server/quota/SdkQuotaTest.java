package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.client.serde.Serdes;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java SDK under rate quotas, against the real server: the producer waits the server's
 * RetryInfo delay and retries within delivery.timeout.ms, so every record is acknowledged once
 * and stored once at about the quota's rate; the consumer's fetches are throttled and it reads on.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkQuotaTest {
    private static final Logger LOG = Logger.getLogger(SdkQuotaTest.class);

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

    /** An SDK client of a new service account (a tenant administrator) of {@code tenant}, fetching its own tokens. */
    private TributaryClient sdkClient(String tenant) throws Exception {
        JsonNode account = q.client.createServiceAccount(q.platformAdmin, tenant, "sdk", "tenant-admin");
        URI endpoint = URI.create("https://" + root.getHost() + ":" + root.getPort());
        TributaryClient client = TributaryClient.connect(new ClientProfile(endpoint, q.client.caFile(),
                account.get("clientId").asText(), account.get("clientSecret").asText(), null, null));
        resources.add(client);
        return client;
    }

    private double throttles(String tenant, String kind) throws Exception {
        Double value = QuotaTestSupport.sample(q.metrics(), "tributary_quota_throttled_total",
                "kind=\"" + kind + "\",tenant=\"" + tenant + "\"");
        return value == null ? 0 : value;
    }

    @Test
    @Timeout(60)
    void theProducerWaitsTheRetryDelayAndEveryRecordIsStoredOnceAtAboutTheQuotaRate() throws Exception {
        QuotaTestSupport.Tenant t = q.newTenant("qs");
        q.client.createTopic(t.adminToken(), t.id(), "rated", 2, "{}");
        long quota = 200_000;
        q.setQuota(t.id(), "{\"produceBytesPerSecond\":" + quota + "}");
        TributaryClient client = sdkClient(t.id());
        // Backoff of 1 ms: without the server's delay the producer would resend at once, hundreds of times a second.
        Producer<String, String> producer = client.newProducer(ProducerConfig.builder().set(ProducerConfig.LINGER_MS, 5)
                .set(ProducerConfig.BATCH_SIZE, 16_384).set(ProducerConfig.MAX_REQUEST_SIZE, 65_536)
                .set(ProducerConfig.RETRY_BACKOFF_MS, 1).set(ProducerConfig.RETRY_BACKOFF_MAX_MS, 1)
                .set(ProducerConfig.DELIVERY_TIMEOUT_MS, 45_000).build(), Serdes.stringSerializer(), Serdes.stringSerializer());
        resources.add(() -> producer.close(Duration.ofSeconds(5)));

        int records = 1_200;
        String padding = "x".repeat(1_000);
        Map<String, CompletableFuture<RecordMetadata>> sent = new HashMap<>();
        AtomicLong lastAck = new AtomicLong();
        long started = System.nanoTime();
        for (int i = 0; i < records; i++) {
            String value = i + "-" + padding;
            sent.put(value, producer.send(new ProducerRecord<>("rated", null, null, null, value, List.of()),
                    (md, e) -> lastAck.set(System.nanoTime())));
        }
        producer.flush();
        double seconds = (lastAck.get() - started) / 1e9;

        Map<String, RecordMetadata> acknowledged = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<RecordMetadata>> e : sent.entrySet()) {
            acknowledged.put(e.getKey(), e.getValue().get(1, TimeUnit.SECONDS)); // none failed
        }
        // Read back with the raw Fetch: each record once, at the offset its acknowledgement gave.
        long storedBytes = 0;
        Map<String, Integer> seen = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            long next = 0;
            long end = q.highWatermark(t.adminToken(), "rated", p);
            while (next < end) {
                PartitionData data = q.fetcher(t.adminToken()).fetch(FetchRequest.newBuilder().setTopic("rated")
                        .addPartitions(PartitionFetch.newBuilder().setPartition(p).setOffset(next)).build()).getPartitions(0);
                for (ByteString bytes : data.getBatchesList()) {
                    RecordBatch batch = RecordBatch.parse(bytes.toByteArray());
                    storedBytes += batch.sizeInBytes();
                    for (Record r : batch) {
                        String value = new String(r.value(), StandardCharsets.UTF_8);
                        seen.merge(value, 1, Integer::sum);
                        RecordMetadata md = acknowledged.get(value);
                        assertEquals(p, md.partition(), value);
                        assertEquals(r.offset(), md.offset(), value);
                        next = r.offset() + 1;
                    }
                }
            }
        }
        assertEquals(records, seen.size());
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "every record stored exactly once");
        assertEquals(sent.keySet(), seen.keySet());

        // The rate: what a full budget allows at once (one second's worth) plus the quota over the
        // time taken plus one request's overshoot, at most; at least 70% of the quota (the producer
        // resent when told, not later).
        double throttled = throttles(t.id(), "produce-bytes");
        double rate = storedBytes / seconds;
        LOG.infof("SDK producer under a %d B/s quota: %d bytes in %.2f s = %.0f B/s (%.2f x quota), %.0f throttled requests",
                quota, storedBytes, seconds, rate, rate / quota, throttled);
        assertTrue(storedBytes <= quota * seconds + quota + 65_536, "at most the quota: " + storedBytes + " bytes in " + seconds + " s");
        assertTrue(storedBytes - quota >= 0.7 * quota * seconds, "at least 70% of the quota: " + storedBytes + " bytes in " + seconds
                + " s");
        // Throttled, and the producer waited each delay out: a producer resending after its 1 ms backoff
        // would be refused hundreds of times a second.
        assertTrue(throttled > 0, "the producer was throttled");
        assertTrue(throttled <= 60 * seconds, throttled + " refusals in " + seconds + " s");
    }

    @Test
    @Timeout(60)
    void theConsumerReadsOnThroughThrottledFetches() throws Exception {
        QuotaTestSupport.Tenant t = q.newTenant("qs");
        q.client.createTopic(t.adminToken(), t.id(), "read", 1, "{}");
        List<String> values = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            dev.tributary.record.RecordBatchBuilder batch = RecordBatch.builder();
            for (int i = 0; i < 20; i++) {
                String value = (b * 20 + i) + "-" + "y".repeat(1_000);
                values.add(value);
                batch.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
            }
            q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("read", 0, batch.build()));
        }
        long quota = 200_000;
        q.setQuota(t.id(), "{\"fetchBytesPerSecond\":" + quota + "}");
        TributaryClient client = sdkClient(t.id());
        Consumer<String, String> consumer = client.newConsumer(ConsumerConfig.builder().enableAutoCommit(false)
                .set(ConsumerConfig.MAX_PARTITION_FETCH_BYTES, 100_000).set(ConsumerConfig.RETRY_BACKOFF_MS, 10).build(),
                Serdes.stringDeserializer(), Serdes.stringDeserializer());
        resources.add(() -> consumer.close(Duration.ofSeconds(5)));
        TopicPartition tp = new TopicPartition("read", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));

        List<String> got = new ArrayList<>();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < values.size() && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                got.add(r.value()); // a throttled fetch is retried by the consumer, never thrown here
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(values, got, "every record once, in order");
        double throttled = throttles(t.id(), "fetch-bytes");
        LOG.infof("SDK consumer under a %d B/s fetch quota: %d records in %.2f s, %.0f throttled fetches", quota, got.size(),
                seconds, throttled);
        // About 630 KB at 200 KB/s with a 200 KB budget: at least 1.5 s of waiting.
        assertTrue(seconds >= 1.5, "read in " + seconds + " s");
        assertTrue(throttled >= 1, "fetches were throttled");
        // One refusal per wait or so: a consumer retrying after its 10 ms backoff instead would be refused several times per wait.
        assertTrue(throttled <= 12, throttled + " throttled fetches");
    }
}
