package dev.tributary.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identity.TokenSubject;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tenants and service accounts: who may do what, precise errors, and no side effect of a denial. */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class TenantIsolationTest {
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
        client = new TestClient(root.toURI(), config.dataDir().resolve("tls/ca.pem"));
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        admin = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
    }

    private String newTenant() throws Exception {
        String id = "t-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = client.postJson("/v1/tenants", admin, "{\"id\":\"" + id + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        return id;
    }

    private JsonNode newAccount(String tenant, String token, String name, String role) throws Exception {
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/service-accounts", token,
                "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        return TestClient.json(created);
    }

    private String tokenOf(JsonNode account) throws Exception {
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private static void assertForbidden(HttpResponse<String> response, String what) throws Exception {
        assertEquals(403, response.statusCode(), what + ": " + response.body());
        assertEquals("FORBIDDEN", TestClient.json(response).get("code").asText(), what);
    }

    @Test
    void tenantAdminsManageTheirTenantOnly() throws Exception {
        String a = newTenant();
        String b = newTenant();
        JsonNode adminA = newAccount(a, admin, "ops", "tenant-admin");
        assertTrue(adminA.get("clientSecret").asText().length() >= 43);
        String tokenA = tokenOf(adminA);
        JsonNode claims = TestClient.claims(tokenA);
        assertEquals(a, claims.get("tributary_tenant").asText());
        assertEquals("tenant-admin", claims.get("tributary_roles").get(0).asText());

        // Its own tenant: everything.
        JsonNode member = newAccount(a, tokenA, "ingest", "member");
        assertEquals(200, client.get("/v1/tenants/" + a + "/service-accounts", tokenA).statusCode());
        String memberPath = "/v1/tenants/" + a + "/service-accounts/" + member.get("id").asText();
        HttpResponse<String> one = client.get(memberPath, tokenA);
        assertEquals(200, one.statusCode());
        assertFalse(one.body().contains("secret\""), "secrets are shown only at creation: " + one.body());
        assertFalse(one.body().toLowerCase().contains("hash"), one.body());

        // Another tenant: nothing, whether it exists or not, and nothing happens.
        String other = "/v1/tenants/" + b + "/service-accounts";
        assertForbidden(client.postJson(other, tokenA, "{\"name\":\"intruder\",\"role\":\"tenant-admin\"}"), "create in b");
        assertForbidden(client.get(other, tokenA), "list b");
        assertForbidden(client.get("/v1/tenants/no-such-tenant/service-accounts", tokenA), "list a missing tenant");
        JsonNode inB = newAccount(b, admin, "victim", "member");
        String victim = other + "/" + inB.get("id").asText();
        assertForbidden(client.get(victim, tokenA), "get in b");
        assertForbidden(client.post(victim + "/rotate-secret", tokenA), "rotate in b");
        assertForbidden(client.delete(victim, tokenA), "delete in b");
        JsonNode bAccounts = TestClient.json(client.get(other, admin)).get("items");
        assertEquals(1, bAccounts.size(), bAccounts.toString());
        assertEquals("victim", bAccounts.get(0).get("name").asText());
        // The victim's secret still works: no rotation happened.
        tokenOf(inB);

        // Tenants themselves are for platform administrators only.
        assertForbidden(client.postJson("/v1/tenants", tokenA, "{\"id\":\"mine\"}"), "create tenant");
        assertForbidden(client.get("/v1/tenants", tokenA), "list tenants");
        assertForbidden(client.delete("/v1/tenants/" + b, tokenA), "delete tenant");
        assertForbidden(client.post("/v1/signing-keys/rotate", tokenA), "rotate keys");
        assertEquals(404, client.get("/v1/tenants/mine", admin).statusCode());
        assertEquals(200, client.get("/v1/tenants/" + b, admin).statusCode());

        // A member administers nothing, not even its own tenant.
        String memberToken = tokenOf(member);
        assertForbidden(client.get("/v1/tenants/" + a + "/service-accounts", memberToken), "member lists");
        assertForbidden(client.postJson("/v1/tenants/" + a + "/service-accounts", memberToken,
                "{\"name\":\"escalate\",\"role\":\"tenant-admin\"}"), "member creates");
        assertEquals(2, TestClient.json(client.get("/v1/tenants/" + a + "/service-accounts", admin)).get("items").size());

        // Expired and tampered tokens of a real tenant admin: 401, nothing happens.
        String expired = issuer.issue(new TokenSubject(adminA.get("id").asText(), a, Set.of("tenant-admin")),
                Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(15)).accessToken();
        HttpResponse<String> withExpired = client.postJson("/v1/tenants/" + a + "/service-accounts", expired,
                "{\"name\":\"late\",\"role\":\"member\"}");
        assertEquals(401, withExpired.statusCode());
        assertEquals("TOKEN_EXPIRED", TestClient.json(withExpired).get("code").asText());
        String tampered = tokenA.substring(0, tokenA.length() - 3) + (tokenA.endsWith("AAA") ? "BBB" : "AAA");
        assertEquals(401, client.delete(memberPath, tampered).statusCode());
        assertEquals(200, client.get(memberPath, admin).statusCode());
        assertEquals(2, TestClient.json(client.get("/v1/tenants/" + a + "/service-accounts", admin)).get("items").size());
    }

    @Test
    void secretsRotateAndDeletedPrincipalsLoseAccess() throws Exception {
        String t = newTenant();
        JsonNode account = newAccount(t, admin, "app", "tenant-admin");
        String path = "/v1/tenants/" + t + "/service-accounts/" + account.get("id").asText();
        String token = tokenOf(account);

        HttpResponse<String> rotated = client.post(path + "/rotate-secret", token);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String newSecret = TestClient.json(rotated).get("clientSecret").asText();
        assertEquals(401, client.tokenRequest(account.get("clientId").asText(), account.get("clientSecret").asText(),
                "grant_type=client_credentials").statusCode(), "the old secret must stop working");
        client.token(account.get("clientId").asText(), newSecret);

        // Deleting the tenant deletes its accounts; their unexpired tokens stop working at once.
        assertEquals(204, client.delete("/v1/tenants/" + t, admin).statusCode());
        HttpResponse<String> afterDelete = client.get("/v1/cluster", token);
        assertEquals(401, afterDelete.statusCode());
        assertEquals("INVALID_TOKEN", TestClient.json(afterDelete).get("code").asText());
        assertEquals(401, client.tokenRequest(account.get("clientId").asText(), newSecret, "grant_type=client_credentials").statusCode());
        assertEquals(404, client.get("/v1/tenants/" + t, admin).statusCode());
    }

    @Test
    void badInputGetsPreciseErrors() throws Exception {
        String t = newTenant();
        assertCode(client.postJson("/v1/tenants", admin, "{\"id\":\"" + t + "\"}"), 409, "TENANT_ALREADY_EXISTS");
        assertCode(client.postJson("/v1/tenants", admin, "{\"id\":\"Bad_Id\"}"), 400, "INVALID_TENANT_ID");
        assertCode(client.get("/v1/tenants/nope-" + UUID.randomUUID().toString().substring(0, 4), admin), 404, "TENANT_NOT_FOUND");
        assertCode(client.get("/v1/tenants?pageSize=0", admin), 400, "INVALID_REQUEST");
        assertCode(client.get("/v1/tenants?pageToken=not-a-token!", admin), 400, "INVALID_PAGE_TOKEN");
        String accounts = "/v1/tenants/" + t + "/service-accounts";
        newAccount(t, admin, "dup", "member");
        assertCode(client.postJson(accounts, admin, "{\"name\":\"dup\",\"role\":\"member\"}"), 409, "SERVICE_ACCOUNT_ALREADY_EXISTS");
        assertCode(client.postJson(accounts, admin, "{\"name\":\"x\",\"role\":\"platform-admin\"}"), 400, "INVALID_ROLE");
        assertCode(client.postJson(accounts, admin, "{\"name\":\"-x\",\"role\":\"member\"}"), 400, "INVALID_SERVICE_ACCOUNT_NAME");
        assertCode(client.get(accounts + "/sa-aaaaaaaaaaaaaaaaaaaa", admin), 404, "SERVICE_ACCOUNT_NOT_FOUND");
        assertCode(client.postJson("/v1/tenants/nope-zz/service-accounts", admin, "{\"name\":\"a\",\"role\":\"member\"}"),
                404, "TENANT_NOT_FOUND");
    }

    @Test
    void tenantListsArePaged() throws Exception {
        for (int i = 0; i < 3; i++) {
            newTenant();
        }
        Set<String> seen = new java.util.HashSet<>();
        String pageToken = "";
        int pages = 0;
        do {
            JsonNode page = TestClient.json(client.get("/v1/tenants?pageSize=2&pageToken=" + pageToken, admin));
            assertTrue(page.get("items").size() <= 2);
            page.get("items").forEach(item -> assertTrue(seen.add(item.get("id").asText()), "repeated " + item));
            pageToken = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
            pages++;
        } while (pageToken != null);
        assertTrue(seen.size() >= 3 && pages >= 2, seen + " in " + pages + " pages");
    }

    private static void assertCode(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }
}
