package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Calls that the client cancels (or whose deadline passes) while the server is still
 * authenticating them end alone: the server must not touch their finished stream, and the other
 * calls on the same HTTP/2 connection go on unharmed (no connection-wide GOAWAY).
 *
 * <p>Disabled because it fails, for a reason outside this code base: the Vert.x gRPC server that
 * serves gRPC on the shared listener does not see a client's RST_STREAM once a unary request has
 * been fully received (eclipse-vertx/vert.x#5562, quarkusio/quarkus#56268), so the call runs on
 * and its late answer is written to a stream that no longer exists, which Netty treats as a
 * connection error (GOAWAY PROTOCOL_ERROR) that fails every other call on the connection.
 * AuthenticationGate no longer touches reset streams (which removed the "Request has already been
 * read" path of the same failure), but the late answer of the service itself remains. Enable this
 * test when the upstream fix lands; until then the SDK avoids resetting streams it has opened
 * (docs/architecture.md, "Known limits").
 */
@Disabled("fails until eclipse-vertx/vert.x#5562 / quarkusio/quarkus#56268 is fixed: a late answer on a reset stream ends the connection")
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class CancelledCallTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;

    @Inject
    TributaryConfig config;

    @Test
    void callsCancelledDuringAuthenticationLeaveTheConnectionWorking() throws Exception {
        Path caFile = config.dataDir().resolve("tls/ca.pem");
        TestClient client = new TestClient(root.toURI(), caFile);
        String admin = client.adminToken(config.dataDir());
        String tenant = "cc-" + UUID.randomUUID().toString().substring(0, 8);
        String member = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/topics", admin,
                "{\"name\":\"idle\",\"partitions\":1}");
        assertEquals(201, created.statusCode(), created.body());

        ManagedChannel channel = TestClient.grpcChannel(root.getPort(), caFile);
        try {
            FetchServiceGrpc.FetchServiceBlockingStub stub = FetchServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(TestClient.bearer(member));
            // Warm the connection up.
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).metadata(MetadataRequest.newBuilder().addTopics("idle").build());

            // A long poll on an idle partition stays in flight on the same connection meanwhile.
            FetchServiceGrpc.FetchServiceFutureStub futures = FetchServiceGrpc.newFutureStub(channel)
                    .withCallCredentials(TestClient.bearer(member));
            var longPoll = futures.withDeadlineAfter(20, TimeUnit.SECONDS).fetch(FetchRequest.newBuilder().setTopic("idle")
                    .addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)).setMaxWaitMs(1500).build());

            int expired = 0;
            for (int i = 0; i < 200; i++) {
                try {
                    // Deadlines this short pass while the token is still being verified.
                    stub.withDeadlineAfter(200 + (i % 5) * 200, TimeUnit.MICROSECONDS)
                            .metadata(MetadataRequest.newBuilder().addTopics("idle").build());
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
                    expired++;
                }
            }
            assertTrue(expired > 0, "no call expired early enough to test anything");

            FetchResponse answer = longPoll.get(20, TimeUnit.SECONDS);
            assertEquals(0, answer.getPartitions(0).getBatchesCount());
            // ... and the connection still serves new calls.
            assertEquals(1, stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .metadata(MetadataRequest.newBuilder().addTopics("idle").build()).getTopicsCount());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
