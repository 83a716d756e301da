package dev.tributary.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.ClientProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away tenant for one benchmark run, made with the platform administrator's profile over
 * the REST control API (the SDK manages topics, not tenants): the tenant, and in it a member
 * service account that produces and consumes, as an application would. {@link #close()} deletes
 * the tenant, and with it the account, the topics and their data.
 */
final class BenchTenant implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ClientProfile adminProfile;
    private final HttpClient http;
    private final String adminToken;
    private final String id;
    private final ClientProfile memberProfile;

    private BenchTenant(ClientProfile adminProfile, HttpClient http, String adminToken, String id, ClientProfile memberProfile) {
        this.adminProfile = adminProfile;
        this.http = http;
        this.adminToken = adminToken;
        this.id = id;
        this.memberProfile = memberProfile;
    }

    /** Creates the tenant {@code bench-<random>} and its member account. */
    static BenchTenant create(ClientProfile adminProfile) throws IOException, InterruptedException, GeneralSecurityException {
        if (adminProfile.clientId() == null) {
            throw new IllegalArgumentException("the profile has no client credentials: the platform administrator's are needed");
        }
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(adminProfile)).connectTimeout(TIMEOUT).build();
        String adminToken = token(http, adminProfile.tokenUrl(), adminProfile.clientId(), adminProfile.clientSecret());
        String id = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        URI endpoint = adminProfile.endpoint();
        post(http, adminToken, endpoint.resolve("/v1/tenants"), JSON.createObjectNode().put("id", id));
        BenchTenant tenant = new BenchTenant(adminProfile, http, adminToken, id, null);
        try {
            JsonNode account = post(http, adminToken, endpoint.resolve("/v1/tenants/" + id + "/service-accounts"),
                    JSON.createObjectNode().put("name", "load-generator").put("role", "member"));
            String principal = account.path("clientId").asText();
            // Members may do only what ACLs grant: a load generator writes and reads every topic and uses groups.
            URI acls = endpoint.resolve("/v1/tenants/" + id + "/acls");
            for (String[] grant : new String[][] {{"write", "topic"}, {"read", "topic"}, {"read", "group"}}) {
                post(http, adminToken, acls, JSON.createObjectNode().put("principal", principal).put("operation", grant[0])
                        .put("resourceType", grant[1]).put("patternType", "literal").put("resourceName", "*")
                        .put("permission", "allow"));
            }
            ClientProfile member = new ClientProfile(endpoint, adminProfile.caFile(), principal,
                    account.path("clientSecret").asText(), adminProfile.tokenUrl(), id);
            return new BenchTenant(adminProfile, http, adminToken, id, member);
        } catch (IOException | InterruptedException | RuntimeException e) {
            tenant.close();
            throw e;
        }
    }

    String id() {
        return id;
    }

    /** The member account's profile: produce, consume and group calls run as it. */
    ClientProfile memberProfile() {
        return memberProfile;
    }

    /** The administrator's profile addressing this tenant: topics are created with it (members may not). */
    ClientProfile adminProfile() {
        return adminProfile.withTenant(id);
    }

    @Override
    public void close() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(adminProfile.endpoint().resolve("/v1/tenants/" + id))
                    .timeout(TIMEOUT).header("Authorization", "Bearer " + adminToken).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                System.err.printf("could not delete the benchmark tenant %s: %d %s%n", id, r.statusCode(), r.body());
            }
        } catch (IOException e) {
            System.err.printf("could not delete the benchmark tenant %s: %s%n", id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode post(HttpClient http, String token, URI uri, ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + uri + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static String token(HttpClient http, URI tokenUrl, String clientId, String secret) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(tokenUrl).timeout(TIMEOUT).header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("token request to " + tokenUrl + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    /** TLS trusting the profile's CA only (the development CA of bin/tributary standalone). */
    private static SSLContext trusting(ClientProfile profile) throws IOException, GeneralSecurityException {
        if (profile.caFile() == null) {
            return SSLContext.getDefault();
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(profile.caFile())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
