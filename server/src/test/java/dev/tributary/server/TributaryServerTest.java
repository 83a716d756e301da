package dev.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.api.v1.ClusterServiceGrpc;
import dev.tributary.api.v1.GetClusterInfoRequest;
import dev.tributary.api.v1.GetClusterInfoResponse;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.ListeningSockets;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TlsClients;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server over its real TLS listener on loopback, with the generated CA and the embedded store. */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class TributaryServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL root;

    @Inject
    TributaryConfig config;

    @Inject
    KeyValueStore store;

    private Path dataDir;
    private Path caFile;
    private HttpClient http;
    private ManagedChannel channel;
    private String token;

    @BeforeEach
    void connect() throws Exception {
        dataDir = config.dataDir();
        caFile = dataDir.resolve("tls").resolve("ca.pem");
        http = HttpClient.newBuilder().sslContext(TlsClients.trustingOnly(caFile)).connectTimeout(Duration.ofSeconds(5)).build();
        channel = Grpc.newChannelBuilderForAddress("localhost", root.getPort(),
                TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(dataDir);
        token = new TestClient(root.toURI(), caFile).token(profile.credentials().clientId(), profile.credentials().clientSecret());
    }

    private ClusterServiceGrpc.ClusterServiceBlockingStub clusterStub() {
        return ClusterServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** GET with the bootstrap administrator's token (health does not need it, and ignores it). */
    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(root.toURI().resolve(path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getWithoutToken(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(root.toURI().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsUpOverHttp2WithoutAToken() throws Exception {
        HttpResponse<String> live = getWithoutToken("/q/health/live");
        assertEquals(200, live.statusCode(), live.body());
        assertEquals("UP", JSON.readTree(live.body()).get("status").asText());
        assertEquals(HttpClient.Version.HTTP_2, live.version(), "ALPN must negotiate HTTP/2");

        HttpResponse<String> ready = getWithoutToken("/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode body = JSON.readTree(ready.body());
        assertEquals("UP", body.get("status").asText());
        JsonNode storage = null;
        for (JsonNode check : body.get("checks")) {
            if (check.get("name").asText().equals("storage")) {
                storage = check;
            }
        }
        assertNotNull(storage, "readiness must include the storage check: " + ready.body());
        assertEquals("UP", storage.get("status").asText());
        assertEquals("embedded", storage.get("data").get("backend").asText());
        assertTrue(storage.get("data").get("readVersion").asLong() >= 0);
    }

    @Test
    void prometheusMetricsAreServed() throws Exception {
        HttpResponse<String> metrics = get("/q/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain")
                || metrics.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"),
                metrics.headers().toString());
        assertTrue(metrics.body().contains("# TYPE jvm_memory_used_bytes gauge"), "no JVM metrics in /q/metrics");
    }

    @Test
    void grpcClusterInfoOverTlsReadsTheStore() throws Exception {
        ClusterServiceGrpc.ClusterServiceBlockingStub stub = clusterStub();
        GetClusterInfoResponse first = stub.getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
        assertEquals("embedded", first.getStorageBackend());
        assertEquals(Files.readString(dataDir.resolve("node-id")).trim(), first.getNodeId());
        assertFalse(first.getServerVersion().isBlank());
        Instant started = Instant.ofEpochSecond(first.getStartTime().getSeconds(), first.getStartTime().getNanos());
        assertTrue(started.isBefore(Instant.now()) && started.isAfter(Instant.now().minus(Duration.ofHours(1))), started.toString());

        // A commit in between must show: the read version comes from the store, not from a cache.
        store.run(tx -> {
            tx.set("test/cluster-info".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            return null;
        });
        GetClusterInfoResponse second = stub.getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
        assertTrue(second.getStoreReadVersion() > first.getStoreReadVersion(),
                first.getStoreReadVersion() + " then " + second.getStoreReadVersion());
    }

    @Test
    void restClusterInfoMatchesGrpc() throws Exception {
        HttpResponse<String> response = get("/v1/cluster");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode info = JSON.readTree(response.body());
        GetClusterInfoResponse grpc = clusterStub().getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
        assertEquals(grpc.getNodeId(), info.get("nodeId").asText());
        assertEquals(grpc.getStorageBackend(), info.get("storageBackend").asText());
        assertEquals(grpc.getServerVersion(), info.get("serverVersion").asText());
        assertTrue(info.get("storeReadVersion").asLong() >= 0);
    }

    @Test
    void restErrorsAreProblemJsonWithACode() throws Exception {
        HttpResponse<String> missing = get("/v1/no-such-thing");
        assertEquals(404, missing.statusCode());
        assertEquals("application/problem+json", missing.headers().firstValue("content-type").orElse(""));
        JsonNode problem = JSON.readTree(missing.body());
        assertEquals("NOT_FOUND", problem.get("code").asText());
        assertEquals(404, problem.get("status").asInt());
        assertFalse(missing.body().contains("Exception"), missing.body());

        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(root.toURI().resolve("/v1/cluster"))
                .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("METHOD_NOT_ALLOWED", JSON.readTree(wrongMethod.body()).get("code").asText());
    }

    @Test
    void connectionProfileNamesTheRealPortCaAndWorkingCredentials() throws Exception {
        Path profileFile = dataDir.resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME);
        // Written asynchronously once the listener is up.
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(dataDir);
        assertEquals("https://localhost:" + root.getPort(), profile.endpoint());
        assertEquals(caFile.toAbsolutePath(), profile.caFile());
        assertTrue(profile.caFile().isAbsolute());
        assertNull(profile.tenant());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(profileFile));

        // The profile alone is enough to connect.
        HttpClient fromProfile = HttpClient.newBuilder().sslContext(TlsClients.trustingOnly(profile.caFile())).build();
        HttpResponse<String> ready = fromProfile.send(
                HttpRequest.newBuilder(URI.create(profile.endpoint() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());

        // ... and its credentials get a token that the protected API and gRPC accept.
        assertEquals(profile.endpoint() + "/oauth2/token", profile.credentials().tokenUrl());
        TestClient client = new TestClient(URI.create(profile.endpoint()), profile.caFile());
        String profileToken = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        assertEquals("platform-admin", TestClient.claims(profileToken).get("tributary_roles").get(0).asText());
        assertEquals(200, client.get("/v1/cluster", profileToken).statusCode());
        assertEquals(200, client.get("/v1/tenants", profileToken).statusCode());
        assertEquals("embedded", ClusterServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(profileToken))
                .withDeadlineAfter(10, TimeUnit.SECONDS).getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getStorageBackend());
    }

    @Test
    void clientProfileIsTheDefaultTenantsAdministrator() throws Exception {
        Path profileFile = dataDir.resolve(ConnectionProfile.FILE_NAME);
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(dataDir, ConnectionProfile.FILE_NAME);
        assertEquals("https://localhost:" + root.getPort(), profile.endpoint());
        assertEquals("default", profile.tenant());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(profileFile));

        TestClient client = new TestClient(URI.create(profile.endpoint()), profile.caFile());
        String tenantToken = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        assertEquals("default", TestClient.claims(tenantToken).get("tributary_tenant").asText());
        assertEquals("tenant-admin", TestClient.claims(tenantToken).get("tributary_roles").get(0).asText());
        // It manages its own tenant's topics, and nothing of the cluster.
        assertEquals(200, client.get("/v1/tenants/default/topics", tenantToken).statusCode());
        assertEquals(403, client.get("/v1/tenants", tenantToken).statusCode());
        assertEquals(403, client.get("/v1/tenants/other/topics", tenantToken).statusCode());
    }

    @Test
    void plaintextIsRefused() throws Exception {
        // A plaintext request to the TLS port gets no HTTP answer.
        try (Socket socket = new Socket("localhost", root.getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer;
            try (InputStream in = socket.getInputStream()) {
                answer = new String(in.readNBytes(5), StandardCharsets.ISO_8859_1);
            } catch (IOException reset) {
                answer = "";
            }
            assertFalse(answer.startsWith("HTTP/"), "plaintext HTTP was answered: " + answer);
        }

        // And no other port is open: the TLS listener is the only listening socket of this JVM.
        Optional<Set<Integer>> listening = ListeningSockets.ofThisProcess();
        assumeTrue(listening.isPresent(), "no /proc: cannot list listening sockets on this OS");
        assertEquals(Set.of(root.getPort()), listening.get());
    }

    @Test
    void clientsThatDoNotTrustTheCaFailTheHandshake() throws Exception {
        HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        IOException error = assertThrows(IOException.class, () -> defaultTrust.send(
                HttpRequest.newBuilder(root.toURI().resolve("/q/health/live")).build(), HttpResponse.BodyHandlers.ofString()));
        assertTrue(hasCause(error, SSLHandshakeException.class), error.toString());

        ManagedChannel untrusting = Grpc.newChannelBuilderForAddress("localhost", root.getPort(),
                TlsChannelCredentials.create()).build();
        try {
            StatusRuntimeException rpcError = assertThrows(StatusRuntimeException.class,
                    () -> ClusterServiceGrpc.newBlockingStub(untrusting).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .getClusterInfo(GetClusterInfoRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, rpcError.getStatus().getCode());
            assertTrue(hasCause(rpcError, SSLHandshakeException.class), rpcError.toString());
        } finally {
            untrusting.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (type.isInstance(cur)) {
                return true;
            }
        }
        return false;
    }
}
