package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestCertificates;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The identity-pool REST API ({@code /v1/tenants/{t}/identity-pools}) over the real TLS listener
 * with real tokens: every endpoint and error code, optimistic concurrency, paging, the cluster-wide
 * uniqueness of issuers (and that deleting a pool, moving its issuer or deleting its tenant frees
 * it), who may manage pools, and that a refused request changes nothing.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class IdentityPoolApiTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private TestClient client;
    private String admin;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
    }

    private String newTenant() throws Exception {
        String id = TestClient.uniqueId("ip");
        client.createTenant(admin, id);
        return id;
    }

    private String tokenOf(String tenant, String role) throws Exception {
        JsonNode account = client.createServiceAccount(admin, tenant, role + "-" + TestClient.uniqueId("a").substring(2), role);
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private static String uniqueIssuer() {
        return "https://idp.example/realms/" + TestClient.uniqueId("realm");
    }

    private static ObjectNode pool(String name, String issuer) {
        ObjectNode body = TestClient.JSON.createObjectNode();
        body.put("name", name).put("issuer", issuer).put("audience", "tributary");
        return body;
    }

    private static String path(String tenant) {
        return "/v1/tenants/" + tenant + "/identity-pools";
    }

    private HttpResponse<String> post(String tenant, String token, Object body) throws Exception {
        return client.postJson(path(tenant), token, body.toString());
    }

    private HttpResponse<String> put(String tenant, String name, String token, Object body, String ifMatch) throws Exception {
        HttpRequest.Builder request = client.request(path(tenant) + "/" + name, token).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return client.send(request);
    }

    private JsonNode created(String tenant, Object body) throws Exception {
        HttpResponse<String> response = post(tenant, admin, body);
        assertEquals(201, response.statusCode(), response.body());
        return TestClient.json(response);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""), response.body());
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    private List<String> names(String tenant) throws Exception {
        HttpResponse<String> list = client.get(path(tenant), admin);
        assertEquals(200, list.statusCode(), list.body());
        List<String> names = new ArrayList<>();
        TestClient.json(list).get("items").forEach(item -> names.add(item.get("name").asText()));
        return names;
    }

    @Test
    void createReadReplaceAndDeleteAPool() throws Exception {
        String tenant = newTenant();
        String tenantAdmin = tokenOf(tenant, "tenant-admin");
        String caPem = TestCertificates.newAuthority("api").caPem();
        ObjectNode body = pool("corp", uniqueIssuer());
        body.put("issuerCaPem", caPem);

        HttpResponse<String> created = post(tenant, tenantAdmin, body);
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(path(tenant) + "/corp", java.net.URI.create(created.headers().firstValue("location").orElseThrow()).getPath());
        String etag = created.headers().firstValue("etag").orElseThrow();
        JsonNode pool = TestClient.json(created);
        assertEquals("corp", pool.get("id").asText());
        assertEquals("corp", pool.get("name").asText());
        assertEquals(body.get("issuer").asText(), pool.get("issuer").asText());
        assertEquals("tributary", pool.get("audience").asText());
        assertEquals("sub", pool.get("principalClaim").asText(), "the default principal claim");
        assertTrue(pool.get("adminClaim").isNull());
        assertEquals(0, pool.get("adminValues").size());
        assertTrue(pool.get("jwksUri").isNull());
        assertEquals(caPem, pool.get("issuerCaPem").asText());
        assertTrue(pool.hasNonNull("createdAt") && pool.hasNonNull("updatedAt"));

        HttpResponse<String> read = client.get(path(tenant) + "/corp", tenantAdmin);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals(etag, read.headers().firstValue("etag").orElseThrow());
        assertEquals(pool, TestClient.json(read));
        assertEquals(List.of("corp"), names(tenant));

        // Replace with If-Match: what GET showed, edited, goes back as it is (id and times are ignored).
        ObjectNode edited = ((ObjectNode) TestClient.json(read)).put("principalClaim", "preferred_username")
                .put("adminClaim", "groups").put("jwksUri", body.get("issuer").asText() + "/keys");
        edited.putArray("adminValues").add("admins").add("ops").add("admins");
        HttpResponse<String> replaced = put(tenant, "corp", tenantAdmin, edited, etag);
        assertEquals(200, replaced.statusCode(), replaced.body());
        String newEtag = replaced.headers().firstValue("etag").orElseThrow();
        assertNotEquals(etag, newEtag);
        JsonNode after = TestClient.json(replaced);
        assertEquals("preferred_username", after.get("principalClaim").asText());
        assertEquals(List.of("admins", "ops"), List.of(after.get("adminValues").get(0).asText(), after.get("adminValues").get(1).asText()));
        assertEquals(2, after.get("adminValues").size(), "duplicates dropped");
        assertEquals(pool.get("createdAt"), after.get("createdAt"));

        // A stale If-Match: 412, nothing changed.
        HttpResponse<String> stale = put(tenant, "corp", tenantAdmin, pool("corp", uniqueIssuer()), etag);
        assertProblem(stale, 412, "PRECONDITION_FAILED");
        assertEquals(after, TestClient.json(client.get(path(tenant) + "/corp", tenantAdmin)));
        // Without If-Match the replacement is unconditional; "*" matches any version.
        assertEquals(200, put(tenant, "corp", tenantAdmin, pool("corp", body.get("issuer").asText()), "*").statusCode());
        HttpResponse<String> plain = put(tenant, "corp", tenantAdmin, pool("corp", body.get("issuer").asText()), null);
        assertEquals(200, plain.statusCode(), plain.body());
        assertTrue(TestClient.json(plain).get("issuerCaPem").isNull(), "a PUT replaces the whole pool");

        assertEquals(204, client.delete(path(tenant) + "/corp", tenantAdmin).statusCode());
        assertProblem(client.get(path(tenant) + "/corp", tenantAdmin), 404, "IDENTITY_POOL_NOT_FOUND");
        assertProblem(client.delete(path(tenant) + "/corp", tenantAdmin), 404, "IDENTITY_POOL_NOT_FOUND");
        assertProblem(put(tenant, "corp", tenantAdmin, pool("corp", uniqueIssuer()), null), 404, "IDENTITY_POOL_NOT_FOUND");
        assertProblem(client.get(path(tenant) + "/Not_A_Name", tenantAdmin), 404, "IDENTITY_POOL_NOT_FOUND");
        assertEquals(List.of(), names(tenant));
    }

    /** A bad request body: what the detail must say, and how the body is spoilt. */
    private record Bad(String detail, boolean postOnly, Consumer<ObjectNode> change) {}

    @Test
    void everyInvalidFieldIsRefusedAndNothingIsWritten() throws Exception {
        String tenant = newTenant();
        String issuerUrl = uniqueIssuer();
        List<Bad> bad = new ArrayList<>();
        bad.add(new Bad("name is required", true, b -> b.remove("name")));
        bad.add(new Bad("invalid name '-corp'", true, b -> b.put("name", "-corp")));
        bad.add(new Bad("invalid name 'Corp'", true, b -> b.put("name", "Corp")));
        bad.add(new Bad("invalid name 'aaaa", true, b -> b.put("name", "a".repeat(64))));
        bad.add(new Bad("name must be a string", true, b -> b.put("name", 7)));
        bad.add(new Bad("unknown field 'id'", true, b -> b.put("id", "corp")));
        bad.add(new Bad("issuer is required", false, b -> b.remove("issuer")));
        bad.add(new Bad("issuer must be an https URL", false, b -> b.put("issuer", "http://idp.example/realms/x")));
        bad.add(new Bad("is not a URL", false, b -> b.put("issuer", "not a url")));
        bad.add(new Bad("issuer must not have a query", false, b -> b.put("issuer", issuerUrl + "?x=1")));
        bad.add(new Bad("issuer must not have a query or a fragment", false, b -> b.put("issuer", issuerUrl + "#f")));
        bad.add(new Bad("issuer must be an https URL with a host", false, b -> b.put("issuer", "https://user@idp.example/x")));
        bad.add(new Bad("issuer must have its host name in lower case", false, b -> b.put("issuer", "https://IDP.example/x")));
        bad.add(new Bad("issuer must be a string", false, b -> b.put("issuer", 42)));
        bad.add(new Bad("is Tributary's own token issuer", false, b -> b.put("issuer", issuer.issuer())));
        bad.add(new Bad("audience is required", false, b -> b.remove("audience")));
        bad.add(new Bad("audience must be 1 to", false, b -> b.put("audience", "")));
        bad.add(new Bad("audience must not have control characters", false, b -> b.put("audience", " tributary")));
        bad.add(new Bad("principalClaim must be a claim name", false, b -> b.put("principalClaim", "user name")));
        bad.add(new Bad("adminValues needs an adminClaim", false, b -> b.putArray("adminValues").add("admins")));
        bad.add(new Bad("adminClaim needs adminValues", false, b -> b.put("adminClaim", "groups")));
        bad.add(new Bad("adminValues must be an array", false, b -> b.put("adminClaim", "groups").put("adminValues", "admins")));
        bad.add(new Bad("adminValues must be an array of strings", false,
                b -> b.put("adminClaim", "groups").putArray("adminValues").add(1)));
        bad.add(new Bad("adminValues may have at most", false, b -> {
            b.put("adminClaim", "groups");
            var values = b.putArray("adminValues");
            for (int i = 0; i <= 100; i++) {
                values.add("g" + i);
            }
        }));
        bad.add(new Bad("jwksUri must be an https URL", false, b -> b.put("jwksUri", "http://idp.example/keys")));
        bad.add(new Bad("issuerCaPem must hold at least one PEM certificate", false, b -> b.put("issuerCaPem", "not a certificate")));
        bad.add(new Bad("issuerCaPem must hold certificates only", false, b -> b.put("issuerCaPem",
                "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")));
        bad.add(new Bad("issuerCaPem has a CERTIFICATE block that is not", false, b -> b.put("issuerCaPem",
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")));
        bad.add(new Bad("unknown field 'adminClaims'", false, b -> b.put("adminClaims", "groups")));

        for (Bad c : bad) {
            ObjectNode body = pool("corp", issuerUrl);
            c.change().accept(body);
            HttpResponse<String> response = post(tenant, admin, body);
            assertProblem(response, 400, "INVALID_IDENTITY_POOL");
            assertTrue(TestClient.json(response).get("detail").asText().contains(c.detail()), c.detail() + ": " + response.body());
        }
        assertProblem(post(tenant, admin, "[1, 2]"), 400, "INVALID_IDENTITY_POOL");
        assertProblem(client.send(client.request(path(tenant), admin).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody())), 400, "INVALID_REQUEST");
        HttpResponse<String> malformed = post(tenant, admin, "{\"name\":");
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertEquals("application/problem+json", malformed.headers().firstValue("content-type").orElse(""));

        // Nothing was written: no pool, and the issuer was never taken.
        assertEquals(List.of(), names(tenant));
        created(newTenant(), pool("corp", issuerUrl));

        // The same checks on a replacement, which leaves the pool as it was.
        String other = newTenant();
        JsonNode original = created(other, pool("corp", uniqueIssuer()));
        for (Bad c : bad) {
            if (c.postOnly()) {
                continue; // a PUT takes its name from the path
            }
            ObjectNode body = pool("corp", original.get("issuer").asText());
            c.change().accept(body);
            HttpResponse<String> response = put(other, "corp", admin, body, null);
            assertProblem(response, 400, "INVALID_IDENTITY_POOL");
            assertTrue(TestClient.json(response).get("detail").asText().contains(c.detail()), c.detail() + ": " + response.body());
        }
        assertProblem(put(other, "corp", admin, pool("other", original.get("issuer").asText()), null), 400, "INVALID_IDENTITY_POOL");
        assertProblem(put(other, "corp", admin, pool("corp", original.get("issuer").asText()).put("id", "other"), null), 400,
                "INVALID_IDENTITY_POOL");
        assertEquals(original, TestClient.json(client.get(path(other) + "/corp", admin)));
    }

    @Test
    void namesAreUniqueInATenantAndIssuersInTheCluster() throws Exception {
        String tenantA = newTenant();
        String tenantB = newTenant();
        String shared = uniqueIssuer();
        JsonNode corp = created(tenantA, pool("corp", shared));

        assertProblem(post(tenantA, admin, pool("corp", uniqueIssuer())), 409, "IDENTITY_POOL_ALREADY_EXISTS");
        HttpResponse<String> sameTenant = post(tenantA, admin, pool("other", shared));
        assertProblem(sameTenant, 409, "ISSUER_ALREADY_REGISTERED");
        assertTrue(TestClient.json(sameTenant).get("detail").asText().contains("'corp'"), sameTenant.body());
        HttpResponse<String> otherTenant = post(tenantB, admin, pool("corp", shared));
        assertProblem(otherTenant, 409, "ISSUER_ALREADY_REGISTERED");
        assertFalse(otherTenant.body().contains(tenantA), "another tenant's name is not told: " + otherTenant.body());
        assertEquals(List.of("corp"), names(tenantA));
        assertEquals(List.of(), names(tenantB));

        // Moving a pool onto a taken issuer is refused; moving it elsewhere frees its old issuer.
        JsonNode second = created(tenantA, pool("second", uniqueIssuer()));
        assertProblem(put(tenantA, "second", admin, pool("second", shared), null), 409, "ISSUER_ALREADY_REGISTERED");
        assertEquals(second, TestClient.json(client.get(path(tenantA) + "/second", admin)));
        assertEquals(200, put(tenantA, "corp", admin, pool("corp", uniqueIssuer()), null).statusCode());
        created(tenantB, pool("corp", shared));
        assertNotEquals(corp.get("issuer"), TestClient.json(client.get(path(tenantA) + "/corp", admin)).get("issuer"));

        // Deleting a pool frees its issuer, and so does deleting its tenant (the index is cluster-wide).
        String freed = second.get("issuer").asText();
        assertEquals(204, client.delete(path(tenantA) + "/second", admin).statusCode());
        created(tenantB, pool("second", freed));
        assertEquals(204, client.delete("/v1/tenants/" + tenantB, admin).statusCode());
        created(tenantA, pool("from-b", shared));
        created(tenantA, pool("also-from-b", freed));
    }

    @Test
    void onlyAdministratorsOfTheTenantManageItsPools() throws Exception {
        String tenant = newTenant();
        String other = newTenant();
        String member = tokenOf(tenant, "member");
        String otherAdmin = tokenOf(other, "tenant-admin");
        JsonNode corp = created(tenant, pool("corp", uniqueIssuer()));
        String fresh = uniqueIssuer();

        for (String token : List.of(member, otherAdmin)) {
            assertProblem(post(tenant, token, pool("new", fresh)), 403, "FORBIDDEN");
            assertProblem(client.get(path(tenant), token), 403, "FORBIDDEN");
            assertProblem(client.get(path(tenant) + "/corp", token), 403, "FORBIDDEN");
            assertProblem(put(tenant, "corp", token, pool("corp", fresh), null), 403, "FORBIDDEN");
            assertProblem(client.delete(path(tenant) + "/corp", token), 403, "FORBIDDEN");
            // Also for pools and tenants that do not exist: nothing is revealed.
            assertProblem(client.get(path(tenant) + "/nope", token), 403, "FORBIDDEN");
            assertProblem(client.get(path("no-such-tenant"), token), 403, "FORBIDDEN");
        }
        assertProblem(client.get(path(tenant), null), 401, "UNAUTHENTICATED");
        assertProblem(post(tenant, null, pool("new", fresh)), 401, "UNAUTHENTICATED");
        assertProblem(client.get(path(tenant), "not-a-token"), 401, "INVALID_TOKEN");

        // Nothing changed, and the issuer the refused requests named is still free.
        assertEquals(List.of("corp"), names(tenant));
        assertEquals(corp, TestClient.json(client.get(path(tenant) + "/corp", admin)));
        created(other, pool("new", fresh));
        // A platform administrator manages any tenant's pools; a tenant that does not exist is reported as such.
        assertProblem(client.get(path("no-such-tenant"), admin), 404, "TENANT_NOT_FOUND");
        assertProblem(post("no-such-tenant", admin, pool("corp", uniqueIssuer())), 404, "TENANT_NOT_FOUND");
    }

    @Test
    void listsArePagedAndATenantHasAtMostAHundredPools() throws Exception {
        String tenant = newTenant();
        for (int i = 0; i < 100; i++) {
            created(tenant, pool(String.format("p%03d", i), uniqueIssuer()));
        }
        HttpResponse<String> tooMany = post(tenant, admin, pool("p100", uniqueIssuer()));
        assertProblem(tooMany, 409, "IDENTITY_POOL_LIMIT_EXCEEDED");

        JsonNode first = TestClient.json(client.get(path(tenant) + "?pageSize=60", admin));
        assertEquals(60, first.get("items").size());
        assertEquals("p000", first.get("items").get(0).get("name").asText());
        JsonNode second = TestClient.json(client.get(path(tenant) + "?pageSize=60&pageToken=" + first.get("nextPageToken").asText(), admin));
        assertEquals(40, second.get("items").size());
        assertEquals("p060", second.get("items").get(0).get("name").asText());
        assertFalse(second.has("nextPageToken"));
        assertProblem(client.get(path(tenant) + "?pageToken=%25%25", admin), 400, "INVALID_PAGE_TOKEN");
        assertProblem(client.get(path(tenant) + "?pageSize=0", admin), 400, "INVALID_REQUEST");

        assertEquals(204, client.delete(path(tenant) + "/p042", admin).statusCode());
        created(tenant, pool("p100", uniqueIssuer()));
    }
}
