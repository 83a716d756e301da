package dev.tributary.server.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.client.ClientProfile;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordHeader;
import dev.tributary.server.testing.TestClient;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the SDK integration tests share: tenants with a service account whose client credentials
 * go into a real {@link ClientProfile} (the SDK then fetches its own tokens from the server's
 * issuer), topics created over REST, and test data produced with the raw gRPC ProduceService so
 * that consumer tests do not depend on the SDK producer.
 */
final class SdkTestSupport implements AutoCloseable {
    /** A tenant and one member service account of it. */
    record Account(String tenant, String clientId, String clientSecret, String token) {}

    /** One record to produce. */
    record TestRecord(long timestamp, String key, String value, List<RecordHeader> headers) {
        static TestRecord of(long timestamp, String key, String value) {
            return new TestRecord(timestamp, key, value, List.of());
        }
    }

    final URI endpoint;
    final Path caFile;
    final TestClient client;
    final String adminToken;
    private final ManagedChannel channel;

    private SdkTestSupport(URI endpoint, Path caFile, TestClient client, String adminToken, ManagedChannel channel) {
        this.endpoint = endpoint;
        this.caFile = caFile;
        this.client = client;
        this.adminToken = adminToken;
        this.channel = channel;
    }

    /** Connects to the server under test ({@code root}: its TLS URL, {@code dataDir}: where it keeps its CA and profile). */
    static SdkTestSupport connect(URL root, Path dataDir) throws Exception {
        TestClient client = TestClient.forServer(root, dataDir);
        awaitReachable(client);
        String admin = client.adminToken(dataDir);
        URI endpoint = URI.create("https://" + root.getHost() + ":" + root.getPort());
        return new SdkTestSupport(endpoint, client.caFile(), client, admin, client.grpcChannel());
    }

    /**
     * Waits (up to 60 s) until the freshly started server completes a TLS connection and answers its
     * readiness probe: on a loaded machine the first handshake can take longer than the test client's
     * 5 s connect timeout, which would fail whichever test happens to run first.
     */
    private static void awaitReachable(TestClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (client.get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the server under test is not ready after 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** A new tenant (id starting with {@code prefix}) with a member service account allowed to produce, consume and use groups. */
    Account newTenant(String prefix) throws Exception {
        String tenant = TestClient.uniqueId(prefix);
        client.createTenant(adminToken, tenant);
        JsonNode body = client.createServiceAccount(adminToken, tenant, "app", "member");
        String clientId = body.get("clientId").asText();
        String secret = body.get("clientSecret").asText();
        return new Account(tenant, clientId, secret, client.grantClientAcls(adminToken, tenant, client.token(clientId, secret)));
    }

    /** The SDK profile of an account: the server's endpoint and CA, the account's client credentials. */
    ClientProfile profile(Account account) {
        return profile(account, endpoint);
    }

    /** The same, connecting to {@code via} instead (e.g. a proxy in front of the server). */
    ClientProfile profile(Account account, URI via) {
        return new ClientProfile(via, caFile, account.clientId(), account.clientSecret(), null, null);
    }

    void createTopic(Account account, String name, int partitions) throws Exception {
        createTopic(account, name, partitions, "{}");
    }

    /** A topic with config overrides, {@code configJson} e.g. {@code {"max.message.bytes":"2048"}}. */
    void createTopic(Account account, String name, int partitions, String configJson) throws Exception {
        client.createTopic(adminToken, account.tenant(), name, partitions, configJson);
    }

    /** A record as the server stores it, with the batch that holds it. */
    record StoredRecord(int partition, long offset, String key, String value, List<RecordHeader> headers,
            CompressionCodec compression, int batchBytes) {}

    /**
     * Every record of a partition from its log start to its high watermark, read with the raw gRPC
     * Fetch (so that producer tests do not depend on the SDK consumer).
     */
    List<StoredRecord> fetchAll(Account account, String topic, int partition) {
        List<StoredRecord> out = new ArrayList<>();
        long next = 0;
        while (true) {
            FetchResponse response = FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(account.token()))
                    .withDeadlineAfter(30, TimeUnit.SECONDS).fetch(FetchRequest.newBuilder().setTopic(topic)
                            .addPartitions(PartitionFetch.newBuilder().setPartition(partition).setOffset(next)).build());
            PartitionData data = response.getPartitions(0);
            if (next >= data.getHighWatermark()) {
                return out;
            }
            long before = next;
            for (ByteString bytes : data.getBatchesList()) {
                RecordBatch batch = RecordBatch.parse(bytes.toByteArray());
                for (Record r : batch) {
                    if (r.offset() >= next) {
                        out.add(new StoredRecord(partition, r.offset(), string(r.key()), string(r.value()), r.headers(),
                                batch.compression(), batch.sizeInBytes()));
                        next = r.offset() + 1;
                    }
                }
            }
            if (next == before) {
                throw new AssertionError("fetch of " + topic + "-" + partition + " at " + next + " below the high watermark "
                        + data.getHighWatermark() + " returned nothing new");
            }
        }
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Produces the records as one batch to one partition (durably); returns the offset of the first. */
    long produce(Account account, String topic, int partition, List<TestRecord> records) {
        RecordBatchBuilder batch = RecordBatch.builder();
        for (TestRecord r : records) {
            batch.append(r.timestamp(), r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                    r.value() == null ? null : r.value().getBytes(StandardCharsets.UTF_8), r.headers());
        }
        ProduceResponse response = ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(account.token()))
                .withDeadlineAfter(30, TimeUnit.SECONDS).produce(ProduceRequest.newBuilder().setTopic(topic)
                        .addPartitions(PartitionBatches.newBuilder().setPartition(partition)
                                .addBatches(ByteString.copyFrom(batch.build())))
                        .setAcks(Acks.ACKS_DURABLE).build());
        BatchAppendResult result = response.getPartitions(0).getBatches(0);
        return result.getBaseOffset();
    }

    /** Produces {@code values} to one partition in batches of {@code batchSize} records, timestamps now. */
    void produceValues(Account account, String topic, int partition, int batchSize, List<String> values) {
        for (int from = 0; from < values.size(); from += batchSize) {
            List<TestRecord> batch = new ArrayList<>();
            for (String v : values.subList(from, Math.min(values.size(), from + batchSize))) {
                batch.add(TestRecord.of(System.currentTimeMillis(), "k-" + v, v));
            }
            produce(account, topic, partition, batch);
        }
    }

    /** Values "{prefix}-{partition}-{i}" for i in [from, to). */
    static List<String> values(String prefix, int partition, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + "-" + partition + "-" + i);
        }
        return out;
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code timeoutMs}. */
    static void awaitCondition(long timeoutMs, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
