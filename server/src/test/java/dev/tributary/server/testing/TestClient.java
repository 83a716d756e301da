package dev.tributary.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.server.profile.ConnectionProfile;
import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.Metadata;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A client of the server under test over its real TLS listener: HTTP requests with or without a
 * bearer token, tenants, service accounts and topics created over REST, tokens from the real token
 * endpoint, gRPC channels and call credentials.
 */
public final class TestClient {
    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI root;
    private final Path caFile;
    private final HttpClient http;

    public TestClient(URI root, Path caFile) throws Exception {
        this.root = root;
        this.caFile = caFile;
        this.http = HttpClient.newBuilder().sslContext(TlsClients.trustingOnly(caFile)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A client of the server under test: {@code root} is its TLS URL, {@code dataDir} where it keeps its development CA. */
    public static TestClient forServer(URL root, Path dataDir) throws Exception {
        return new TestClient(root.toURI(), caFile(dataDir));
    }

    /** The development CA the server generates in its data directory. */
    public static Path caFile(Path dataDir) {
        return dataDir.resolve("tls/ca.pem");
    }

    /** The CA this client trusts. */
    public Path caFile() {
        return caFile;
    }

    /** A fresh id for a tenant, node or the like: {@code prefix-} and 8 random hex digits. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The platform administrator's profile once the server has written the bootstrap credentials into it (asynchronously after start). */
    public static ConnectionProfile awaitProfileWithCredentials(Path dataDir) throws Exception {
        return awaitProfileWithCredentials(dataDir, ConnectionProfile.PLATFORM_ADMIN_FILE_NAME);
    }

    /** The profile in {@code fileName} (client.properties: the default tenant's administrator) once it has credentials. */
    public static ConnectionProfile awaitProfileWithCredentials(Path dataDir, String fileName) throws Exception {
        Path file = dataDir.resolve(fileName);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                ConnectionProfile profile = ConnectionProfile.read(file);
                if (profile.credentials() != null) {
                    return profile;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no credentials in " + file);
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(root.resolve(path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    public HttpResponse<String> get(String path, String token) throws Exception {
        return send(request(path, token).GET());
    }

    public HttpResponse<String> postJson(String path, String token, String json) throws Exception {
        return send(request(path, token).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> post(String path, String token) throws Exception {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> delete(String path, String token) throws Exception {
        return send(request(path, token).DELETE());
    }

    /** POST /oauth2/token with HTTP Basic client authentication and the given form body. */
    public HttpResponse<String> tokenRequest(String clientId, String secret, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve("/oauth2/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (clientId != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request);
    }

    /** A token of the bootstrap platform administrator, whose credentials the server wrote into its profile. */
    public String adminToken(Path dataDir) throws Exception {
        ConnectionProfile profile = awaitProfileWithCredentials(dataDir);
        return token(profile.credentials().clientId(), profile.credentials().clientSecret());
    }

    /** A gRPC channel to the listener on {@code port} that trusts only the development CA. */
    public static ManagedChannel grpcChannel(int port, Path caFile) throws Exception {
        return Grpc.newChannelBuilderForAddress("localhost", port,
                TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();
    }

    /** A gRPC channel to the listener of the server this client talks to, trusting only its CA. */
    public ManagedChannel grpcChannel() throws Exception {
        return grpcChannel(root.getPort(), caFile);
    }

    /** Creates {@code tenant} and a service account with {@code role} in it; returns that account's token. */
    public String tenantWithAccount(String adminToken, String tenant, String role) throws Exception {
        createTenant(adminToken, tenant);
        JsonNode account = json(postJson("/v1/tenants/" + tenant + "/service-accounts", adminToken,
                "{\"name\":\"app\",\"role\":\"" + role + "\"}"));
        return token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    /** Creates {@code tenant} as the platform administrator {@code adminToken}. */
    public void createTenant(String adminToken, String tenant) throws Exception {
        expectCreated(postJson("/v1/tenants", adminToken, "{\"id\":\"" + tenant + "\"}"), "tenant " + tenant);
    }

    /** Creates a service account of {@code tenant}; returns what the server answered: id, clientId, clientSecret. */
    public JsonNode createServiceAccount(String adminToken, String tenant, String name, String role) throws Exception {
        return json(expectCreated(postJson("/v1/tenants/" + tenant + "/service-accounts", adminToken,
                "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}"), "service account " + name + " of " + tenant));
    }

    /** Creates a topic of {@code tenant} over REST; {@code configJson} is its config overrides, e.g. {@code {}}. */
    public void createTopic(String adminToken, String tenant, String name, int partitions, String configJson) throws Exception {
        expectCreated(postJson("/v1/tenants/" + tenant + "/topics", adminToken,
                "{\"name\":\"" + name + "\",\"partitions\":" + partitions + ",\"config\":" + configJson + "}"),
                "topic " + name + " of " + tenant);
    }

    /**
     * Grants {@code principal} (a service account id, "pool:value" or "*") {@code operation} on the
     * {@code resourceType} named {@code name} (literal) in {@code tenant}, as {@code adminToken} (an
     * administrator of the tenant or a platform administrator); wire names, e.g. ("read", "topic").
     */
    public JsonNode grantAcl(String adminToken, String tenant, String principal, String operation, String resourceType,
            String name) throws Exception {
        return createAcl(adminToken, tenant, principal, operation, resourceType, "literal", name, "allow");
    }

    /** Creates an ACL binding (any pattern type and permission); returns what the server answered, the binding with its id. */
    public JsonNode createAcl(String adminToken, String tenant, String principal, String operation, String resourceType,
            String patternType, String name, String permission) throws Exception {
        String body = JSON.createObjectNode().put("principal", principal).put("operation", operation)
                .put("resourceType", resourceType).put("patternType", patternType).put("resourceName", name)
                .put("permission", permission).toString();
        return json(expectCreated(postJson("/v1/tenants/" + tenant + "/acls", adminToken, body),
                "ACL " + body + " in " + tenant));
    }

    /**
     * The ACLs an application that produces, consumes and uses consumer groups needs in {@code
     * tenant}: write and read on every topic (read implies describe), read on every group. For tests
     * whose subject is not authorization; returns {@code token} for chaining.
     */
    public String grantClientAcls(String adminToken, String tenant, String token) throws Exception {
        String principal = principalOf(token);
        grantAcl(adminToken, tenant, principal, "write", "topic", "*");
        grantAcl(adminToken, tenant, principal, "read", "topic", "*");
        grantAcl(adminToken, tenant, principal, "read", "group", "*");
        return token;
    }

    /** The principal id of a token's holder (its {@code sub}): what ACLs name. */
    public static String principalOf(String token) throws Exception {
        return claims(token).get("sub").asText();
    }

    private static HttpResponse<String> expectCreated(HttpResponse<String> response, String what) {
        if (response.statusCode() != 201) {
            throw new AssertionError(what + " not created: " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    /** A token from the real token endpoint. */
    public String token(String clientId, String secret) throws Exception {
        HttpResponse<String> response = tokenRequest(clientId, secret, "grant_type=client_credentials");
        if (response.statusCode() != 200) {
            throw new AssertionError("token request failed: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    public static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The decoded payload of a JWT (no verification: tests look at what the server put in). */
    public static JsonNode claims(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    public static JsonNode header(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
    }

    /** gRPC call credentials: the token as {@code authorization: Bearer} metadata. */
    public static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        };
    }
}
