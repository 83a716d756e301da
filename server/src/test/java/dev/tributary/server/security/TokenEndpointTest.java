package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /oauth2/token: the client-credentials grant and every RFC 6749 error. */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class TokenEndpointTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;

    @Inject
    TributaryConfig config;

    private TestClient client;
    private String id;
    private String secret;

    @BeforeEach
    void connect() throws Exception {
        client = new TestClient(root.toURI(), config.dataDir().resolve("tls/ca.pem"));
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        id = profile.credentials().clientId();
        secret = profile.credentials().clientSecret();
    }

    private HttpResponse<String> form(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(root.toURI().resolve("/oauth2/token"))
                .header("content-type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void basicAndPostClientAuthenticationBothWork() throws Exception {
        for (HttpResponse<String> response : new HttpResponse[] {
            client.tokenRequest(id, secret, "grant_type=client_credentials"),
            form("grant_type=client_credentials&client_id=" + enc(id) + "&client_secret=" + enc(secret))}) {
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = TestClient.json(response);
            assertEquals("Bearer", body.get("token_type").asText());
            assertEquals(900, body.get("expires_in").asLong());
            assertTrue(body.get("access_token").asText().split("\\.").length == 3);
            assertEquals("no-store", response.headers().firstValue("cache-control").orElse(""));
        }
    }

    @Test
    void wrongSecretAndUnknownClientAreIndistinguishable() throws Exception {
        HttpResponse<String> wrongSecret = client.tokenRequest(id, secret + "x", "grant_type=client_credentials");
        HttpResponse<String> unknown = client.tokenRequest("sa-aaaaaaaaaaaaaaaaaaaa", secret, "grant_type=client_credentials");
        HttpResponse<String> malformedId = client.tokenRequest("nobody", secret, "grant_type=client_credentials");
        for (HttpResponse<String> r : new HttpResponse[] {wrongSecret, unknown, malformedId}) {
            assertOAuthError(r, 401, "invalid_client");
            assertEquals("Basic realm=\"tributary\"", r.headers().firstValue("www-authenticate").orElse(""));
        }
        assertEquals(wrongSecret.body(), unknown.body());
        assertEquals(wrongSecret.body(), malformedId.body());
    }

    @Test
    void everyMalformedRequestGetsItsRfc6749Error() throws Exception {
        assertOAuthError(client.tokenRequest(id, secret, "grant_type=password&username=a&password=b"), 400, "unsupported_grant_type");
        assertOAuthError(client.tokenRequest(id, secret, "grant_type=authorization_code&code=x"), 400, "unsupported_grant_type");
        assertOAuthError(client.tokenRequest(id, secret, "scope=x"), 400, "invalid_request");
        assertOAuthError(client.tokenRequest(id, secret, "grant_type=client_credentials&grant_type=client_credentials"), 400, "invalid_request");
        assertOAuthError(client.tokenRequest(id, secret, "grant_type=client_credentials&client_secret=" + enc(secret)), 400, "invalid_request");
        assertOAuthError(form("grant_type=client_credentials"), 401, "invalid_client");
        assertOAuthError(form("grant_type=client_credentials&client_id=" + enc(id)), 401, "invalid_client");
        assertOAuthError(client.send(HttpRequest.newBuilder(root.toURI().resolve("/oauth2/token")).header("content-type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic !!!notbase64").POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))), 401, "invalid_client");
        assertOAuthError(client.send(HttpRequest.newBuilder(root.toURI().resolve("/oauth2/token")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credentials\"}"))), 400, "invalid_request");
    }

    private static void assertOAuthError(HttpResponse<String> response, int status, String error) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(error, TestClient.json(response).get("error").asText(), response.body());
        assertTrue(TestClient.json(response).hasNonNull("error_description"));
    }
}
