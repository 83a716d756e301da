package dev.tributary.server.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.security.AuthenticationGate;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the server serves at /q/openapi, over its real TLS listener: it needs a
 * token like every other path (any valid one, a tenant member's will do), it follows the
 * conventions of {@link OpenApiConventions}, and it is exactly the checked-in docs/openapi.yaml.
 *
 * <p>To regenerate the checked-in copy after changing the REST API, run this test with
 * {@code -Dopenapi.write=true}: it then writes the served document to docs/openapi.yaml
 * instead of comparing (docs/openapi.md has the command).
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class OpenApiDocumentTest {
    // Not under tributary.: the server under test validates every tributary.* system property as its configuration.
    static final String WRITE_PROPERTY = "openapi.write";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private TestClient client;
    private String memberToken;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        String admin = client.adminToken(config.dataDir());
        memberToken = client.tenantWithAccount(admin, TestClient.uniqueId("oas"), "member");
    }

    @Test
    void theServedDocumentIsTheCheckedInOne() throws Exception {
        HttpResponse<String> served = client.get("/q/openapi", memberToken);
        assertEquals(200, served.statusCode(), served.body());
        String document = normalize(served.body());
        Path checkedIn = checkedInCopy();
        if (Boolean.getBoolean(WRITE_PROPERTY)) {
            Files.writeString(checkedIn, document, StandardCharsets.UTF_8);
            System.out.println("OpenApiDocumentTest: wrote the served document to " + checkedIn);
            return;
        }
        assertTrue(Files.exists(checkedIn), checkedIn + " is missing; " + howToRegenerate());
        String expected = normalize(Files.readString(checkedIn, StandardCharsets.UTF_8));
        if (!expected.equals(document)) {
            fail("the served OpenAPI document differs from " + checkedIn + " " + firstDifference(expected, document)
                    + "; if the API change is intended, " + howToRegenerate());
        }
    }

    @Test
    void everyOperationHasItsConceptsTagAndItsSecurityAndErrorResponses() throws Exception {
        HttpResponse<String> served = client.get("/q/openapi?format=json", memberToken);
        assertEquals(200, served.statusCode(), served.body());
        JsonNode doc = TestClient.json(served);

        assertEquals("http", doc.at("/components/securitySchemes/bearer/type").asText());
        assertEquals("bearer", doc.at("/components/securitySchemes/bearer/scheme").asText());
        assertEquals("bearer", doc.at("/security/0").fieldNames().next(), "a token is required unless an operation says otherwise");
        assertTrue(doc.at("/components/schemas/Problem/properties/code").isObject(), "the problem+json schema has the code");
        assertFalse(doc.has("servers"), "no server URL: clients use the address they fetched the document from");
        Set<String> declaredTags = new HashSet<>();
        doc.get("tags").forEach(t -> declaredTags.add(t.get("name").asText()));

        Set<String> seenPaths = new HashSet<>();
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            seenPaths.add(path.getKey());
            boolean open = AuthenticationGate.OPEN_PATHS.contains(path.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                operations++;
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                JsonNode operation = op.getValue();
                assertEquals(1, operation.get("tags").size(), where + " has one tag");
                String tag = operation.get("tags").get(0).asText();
                assertEquals(OpenApiConventions.concept(path.getKey()), tag, where);
                assertTrue(declaredTags.contains(tag), where + ": tag " + tag + " is declared");
                if (open) {
                    assertTrue(operation.get("security").isArray(), where + " says what it needs");
                    operation.get("security").forEach(r -> assertFalse(r.has("bearer"), where + " is open"));
                } else {
                    assertFalse(operation.has("security"), where + " keeps the global bearer requirement");
                    JsonNode responses = operation.get("responses");
                    assertEquals("#/components/responses/Unauthenticated", responses.at("/401/$ref").asText(), where);
                    if (path.getKey().startsWith(OpenApiConventions.API_PREFIX)) {
                        assertEquals("#/components/responses/Forbidden", responses.at("/403/$ref").asText(), where);
                        assertNotNull(responses.get("default"), where + " documents its other errors");
                    }
                }
            }
        }
        assertTrue(operations > 20, "operations: " + operations);
        for (String expected : List.of("/oauth2/token", "/v1/tenants", "/v1/tenants/{tenant}/topics",
                "/v1/tenants/{tenant}/groups/{group}", "/v1/tenants/{tenant}/groups/{group}/offsets:reset")) {
            assertTrue(seenPaths.contains(expected), expected + " in " + seenPaths);
        }
        assertEquals("groups", OpenApiConventions.concept("/v1/tenants/{tenant}/groups/{group}/offsets:reset"));
        assertEquals("tenants", OpenApiConventions.concept("/v1/tenants/{tenant}"));
        assertEquals("oauth2", OpenApiConventions.concept("/.well-known/openid-configuration"));
    }

    @Test
    void theDocumentNeedsAValidToken() throws Exception {
        for (String path : List.of("/q/openapi", "/q/openapi?format=json", "/q/openapi.json", "/q/openapi.yaml")) {
            HttpResponse<String> anonymous = client.get(path, null);
            assertEquals(401, anonymous.statusCode(), path + ": " + anonymous.body());
            assertEquals("application/problem+json", anonymous.headers().firstValue("content-type").orElse(""));
            assertEquals("UNAUTHENTICATED", TestClient.json(anonymous).get("code").asText(), path);
        }
        String adminId = TestClient.awaitProfileWithCredentials(config.dataDir()).credentials().clientId();
        for (Map.Entry<String, String> bad : BadTokens.of(issuer, adminId).entrySet()) {
            HttpResponse<String> answer = client.get("/q/openapi", bad.getValue());
            assertEquals(401, answer.statusCode(), bad.getKey() + ": " + answer.body());
            assertEquals(BadTokens.expectedCode(bad.getKey()), TestClient.json(answer).get("code").asText(), bad.getKey());
        }
    }

    /** Line ends and trailing blanks are not part of the document. */
    static String normalize(String yaml) {
        StringBuilder out = new StringBuilder();
        for (String line : yaml.replace("\r\n", "\n").split("\n", -1)) {
            out.append(line.stripTrailing()).append('\n');
        }
        return out.toString().stripTrailing() + "\n";
    }

    /** docs/openapi.yaml of the repository (tests run in the server module's directory). */
    private static Path checkedInCopy() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir.resolve("docs/openapi.yaml");
            }
        }
        throw new AssertionError("no repository root (with mvnw and docs/) above " + Path.of("").toAbsolutePath());
    }

    private static String howToRegenerate() {
        return "regenerate it with -D" + WRITE_PROPERTY + "=true (see docs/openapi.md)";
    }

    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of document>";
            if (!el.equals(al)) {
                return "at line " + (i + 1) + ": checked in '" + el + "', served '" + al + "'";
            }
        }
        return "";
    }
}
