package dev.tributary.server.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.testing.TestClient;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the quota tests share: tenants with an administrator's token (tenant administrators may
 * produce and fetch whatever the tenant's ACLs say), quotas set and read over the real REST API
 * by the platform administrator, record batches produced and offsets read over real gRPC, and the
 * parts of a gRPC refusal a client looks at.
 */
final class QuotaTestSupport implements AutoCloseable {
    /** A new tenant and a token of its administrator. */
    record Tenant(String id, String adminToken) {}

    final TestClient client;
    final String platformAdmin;
    final ManagedChannel channel;

    private QuotaTestSupport(TestClient client, String platformAdmin, ManagedChannel channel) {
        this.client = client;
        this.platformAdmin = platformAdmin;
        this.channel = channel;
    }

    static QuotaTestSupport connect(URL root, Path dataDir) throws Exception {
        TestClient client = TestClient.forServer(root, dataDir);
        return new QuotaTestSupport(client, client.adminToken(dataDir), client.grpcChannel());
    }

    Tenant newTenant(String prefix) throws Exception {
        String id = TestClient.uniqueId(prefix);
        return new Tenant(id, client.tenantWithAccount(platformAdmin, id, "tenant-admin"));
    }

    HttpResponse<String> putQuota(String tenant, String token, String json, String ifMatch) throws Exception {
        HttpRequest.Builder request = client.request("/v1/tenants/" + tenant + "/quota", token)
                .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return client.send(request);
    }

    /** Sets the quota as the platform administrator, failing the test unless it is accepted. */
    JsonNode setQuota(String tenant, String json) throws Exception {
        HttpResponse<String> response = putQuota(tenant, platformAdmin, json, null);
        if (response.statusCode() != 200) {
            throw new AssertionError("quota of " + tenant + " not set: " + response.statusCode() + " " + response.body());
        }
        return TestClient.json(response);
    }

    HttpResponse<String> getQuota(String tenant, String token) throws Exception {
        return client.get("/v1/tenants/" + tenant + "/quota", token);
    }

    JsonNode quota(String tenant) throws Exception {
        HttpResponse<String> response = getQuota(tenant, platformAdmin);
        if (response.statusCode() != 200) {
            throw new AssertionError("quota of " + tenant + ": " + response.statusCode() + " " + response.body());
        }
        return TestClient.json(response);
    }

    ProduceServiceGrpc.ProduceServiceBlockingStub producer(String token) {
        return ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    FetchServiceGrpc.FetchServiceBlockingStub fetcher(String token) {
        return FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** One batch of {@code records} records of {@code valueBytes} bytes each. */
    static byte[] batch(int records, int valueBytes) {
        RecordBatchBuilder builder = RecordBatch.builder();
        for (int i = 0; i < records; i++) {
            builder.append(System.currentTimeMillis(), null, new byte[valueBytes]);
        }
        return builder.build();
    }

    static ProduceRequest produceRequest(String topic, int partition, byte[] batch) {
        return ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(ByteString.copyFrom(batch))).build();
    }

    /** The partition's high watermark, read with ListOffsets (not subject to byte quotas). */
    long highWatermark(String token, String topic, int partition) {
        return fetcher(token).listOffsets(ListOffsetsRequest.newBuilder().setTopic(topic)
                .addPartitions(PartitionOffsetQuery.newBuilder().setPartition(partition).setSpec(OffsetSpec.OFFSET_SPEC_LATEST))
                .build()).getPartitions(0).getOffset();
    }

    /** The ErrorInfo reason of a refusal. */
    static String reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        try {
            for (com.google.protobuf.Any any : status.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    return any.unpack(ErrorInfo.class).getReason();
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
        return null;
    }

    /** The RetryInfo delay of a refusal, or null. */
    static Duration retryDelay(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        try {
            for (com.google.protobuf.Any any : status.getDetailsList()) {
                if (any.is(RetryInfo.class)) {
                    com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
                    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
        return null;
    }

    /** The Prometheus text of /q/metrics (it needs a token). */
    String metrics() throws Exception {
        return client.get("/q/metrics", platformAdmin).body();
    }

    /**
     * The value of the sample {@code name{labels}} in Prometheus text (labels as printed, in key
     * order, e.g. {@code kind="produce-bytes",tenant="t"}), or null if there is none.
     */
    static Double sample(String metrics, String name, String labels) {
        String prefix = name + "{" + labels + "} ";
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.valueOf(line.substring(prefix.length()).trim().split(" ")[0]);
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
