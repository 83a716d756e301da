package dev.tributary.server.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.acl.AclKeySpace;
import dev.tributary.acl.AclStore;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ACL REST API ({@code /v1/tenants/{t}/acls}) over the real TLS listener with real tokens:
 * every endpoint, every error code, paging and filters, and who may manage ACLs (administrators of
 * the tenant and platform administrators; members and other tenants' principals are refused with
 * nothing changed).
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class AclApiTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;

    private TestClient client;
    private String admin;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
    }

    private String newTenant() throws Exception {
        String id = TestClient.uniqueId("acl");
        client.createTenant(admin, id);
        return id;
    }

    private JsonNode account(String tenant, String role) throws Exception {
        return client.createServiceAccount(admin, tenant, role + "-" + TestClient.uniqueId("a").substring(2), role);
    }

    private String tokenOf(JsonNode account) throws Exception {
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private static ObjectNode body(String principal, String operation, String resourceType, String patternType, String name,
            String permission) {
        ObjectNode body = TestClient.JSON.createObjectNode();
        body.put("principal", principal).put("operation", operation).put("resourceType", resourceType)
                .put("patternType", patternType).put("resourceName", name).put("permission", permission);
        return body;
    }

    private HttpResponse<String> post(String tenant, String token, Object body) throws Exception {
        return client.postJson("/v1/tenants/" + tenant + "/acls", token, body.toString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""), response.body());
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    /** Every ACL of the tenant, as the platform administrator lists them. */
    private List<String> ids(String tenant) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode item : TestClient.json(client.get("/v1/tenants/" + tenant + "/acls", admin)).get("items")) {
            ids.add(item.get("id").asText());
        }
        return ids;
    }

    @Test
    void createGetListDeleteAndDuplicates() throws Exception {
        String tenant = newTenant();
        String tenantAdmin = tokenOf(account(tenant, "tenant-admin"));
        String member = account(tenant, "member").get("id").asText();
        String acls = "/v1/tenants/" + tenant + "/acls";

        HttpResponse<String> created = post(tenant, tenantAdmin, body(member, "describe-configs", "topic", "prefixed", "orders.", "allow"));
        assertEquals(201, created.statusCode(), created.body());
        JsonNode binding = TestClient.json(created);
        String id = binding.get("id").asText();
        assertTrue(id.matches("[a-z2-7]{20}"), id);
        assertEquals(root.toURI().resolve(acls + "/" + id).getPath(),
                java.net.URI.create(created.headers().firstValue("Location").orElseThrow()).getPath());
        assertEquals(member, binding.get("principal").asText());
        assertEquals("describe-configs", binding.get("operation").asText());
        assertEquals("topic", binding.get("resourceType").asText());
        assertEquals("prefixed", binding.get("patternType").asText());
        assertEquals("orders.", binding.get("resourceName").asText());
        assertEquals("allow", binding.get("permission").asText());

        HttpResponse<String> got = client.get(acls + "/" + id, tenantAdmin);
        assertEquals(200, got.statusCode(), got.body());
        assertEquals(binding, TestClient.json(got));

        // The same six fields: the same id, a duplicate.
        HttpResponse<String> duplicate = post(tenant, admin, body(member, "describe-configs", "topic", "prefixed", "orders.", "allow"));
        assertProblem(duplicate, 409, "ACL_ALREADY_EXISTS");
        assertTrue(TestClient.json(duplicate).get("detail").asText().contains(id), duplicate.body());
        // Any field different: another ACL.
        HttpResponse<String> deny = post(tenant, admin, body(member, "describe-configs", "topic", "prefixed", "orders.", "deny"));
        assertEquals(201, deny.statusCode(), deny.body());
        assertEquals(2, ids(tenant).size());

        assertEquals(204, client.delete(acls + "/" + id, tenantAdmin).statusCode());
        assertProblem(client.get(acls + "/" + id, tenantAdmin), 404, "ACL_NOT_FOUND");
        assertProblem(client.delete(acls + "/" + id, tenantAdmin), 404, "ACL_NOT_FOUND");
        assertProblem(client.get(acls + "/not-an-acl-id", admin), 404, "ACL_NOT_FOUND");
        assertProblem(client.delete(acls + "/aaaaaaaaaaaaaaaaaaaa", admin), 404, "ACL_NOT_FOUND");
        assertEquals(List.of(TestClient.json(deny).get("id").asText()), ids(tenant));

        // Created again after the delete: same id.
        assertEquals(id, TestClient.json(post(tenant, admin, body(member, "describe-configs", "topic", "prefixed", "orders.",
                "allow"))).get("id").asText());

        // Every principal form of the contract.
        assertEquals(201, post(tenant, admin, body("*", "all", "group", "literal", "*", "deny")).statusCode());
        assertEquals(201, post(tenant, admin, body("corp:alice@example.com", "read", "group", "literal", "g", "allow")).statusCode());
        assertEquals(201, post(tenant, admin, body(member, "create", "tenant", "literal", tenant, "allow")).statusCode());
        assertEquals(201, post(tenant, admin, body(member, "write", "transactional-id", "prefixed", "tx-", "allow")).statusCode());
        assertEquals(201, post(tenant, admin, body(member, "read", "subject", "literal", "orders-value", "allow")).statusCode());
    }

    @Test
    void invalidFieldsAreNamedAndNothingIsStored() throws Exception {
        String tenant = newTenant();
        String sa = account(tenant, "member").get("id").asText();
        Map<String, ObjectNode> cases = new java.util.LinkedHashMap<>();
        cases.put("principal", body("alice", "read", "topic", "literal", "t", "allow"));
        cases.put("principal ", body("sa-short", "read", "topic", "literal", "t", "allow"));
        cases.put("operation", body(sa, "READ", "topic", "literal", "t", "allow"));
        cases.put("operation ", body(sa, "write", "group", "literal", "g", "allow"));
        cases.put("resourceType", body(sa, "read", "cluster", "literal", "t", "allow"));
        cases.put("patternType", body(sa, "read", "topic", "glob", "t", "allow"));
        cases.put("patternType ", body(sa, "create", "tenant", "prefixed", tenant, "allow"));
        cases.put("resourceName", body(sa, "read", "topic", "literal", "bad name", "allow"));
        cases.put("resourceName ", body(sa, "create", "tenant", "literal", "another-tenant", "allow"));
        cases.put("resourceName  ", body(sa, "read", "topic", "literal", "", "allow"));
        cases.put("permission", body(sa, "read", "topic", "literal", "t", "grant"));
        ObjectNode missing = body(sa, "read", "topic", "literal", "t", "allow");
        missing.remove("permission");
        cases.put("permission ", missing);
        for (Map.Entry<String, ObjectNode> c : cases.entrySet()) {
            HttpResponse<String> response = post(tenant, admin, c.getValue());
            assertProblem(response, 400, "INVALID_ACL");
            String field = c.getKey().trim();
            assertTrue(TestClient.json(response).get("detail").asText().startsWith(field + " "),
                    "the detail names the field: " + response.body());
        }
        assertProblem(client.postJson("/v1/tenants/" + tenant + "/acls", admin, "null"), 400, "INVALID_ACL");
        assertEquals(400, client.postJson("/v1/tenants/" + tenant + "/acls", admin, "{\"principal\":").statusCode());
        assertEquals(List.of(), ids(tenant));
        assertEquals(0, new AclStore(store).version(tenant), "no change was ever committed");
    }

    @Test
    void unknownTenantsAndTheLimit() throws Exception {
        String sa = "sa-abcdefghijklmnopqrst";
        assertProblem(post("no-such-tenant", admin, body(sa, "read", "topic", "literal", "t", "allow")), 404, "TENANT_NOT_FOUND");
        assertProblem(client.get("/v1/tenants/no-such-tenant/acls", admin), 404, "TENANT_NOT_FOUND");
        assertProblem(client.get("/v1/tenants/Not_A_Tenant/acls/aaaaaaaaaaaaaaaaaaaa", admin), 400, "INVALID_TENANT_ID");

        String tenant = newTenant();
        post(tenant, admin, body(sa, "read", "topic", "literal", "t", "allow"));
        // 10,000 creates would take minutes; the count is what create checks, in the same transaction.
        store.run(tx -> {
            tx.set(AclKeySpace.count(tenant), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(AclStore.MAX_BINDINGS_PER_TENANT).array());
            return null;
        });
        assertProblem(post(tenant, admin, body(sa, "read", "topic", "literal", "u", "allow")), 409, "ACL_LIMIT_EXCEEDED");
        assertEquals(1, ids(tenant).size());

        // A deleted tenant's ACLs go with it: the same id again starts empty.
        assertEquals(204, client.delete("/v1/tenants/" + tenant, admin).statusCode());
        client.createTenant(admin, tenant);
        assertEquals(List.of(), ids(tenant));
        assertEquals(201, post(tenant, admin, body(sa, "read", "topic", "literal", "u", "allow")).statusCode());
    }

    @Test
    void listsPageInIdOrderAndFilter() throws Exception {
        String tenant = newTenant();
        String a = account(tenant, "member").get("id").asText();
        String b = account(tenant, "member").get("id").asText();
        List<String> created = new ArrayList<>();
        for (String principal : List.of(a, b)) {
            for (String topic : List.of("orders", "payments", "audit")) {
                created.add(TestClient.json(post(tenant, admin, body(principal, "read", "topic", "literal", topic, "allow")))
                        .get("id").asText());
            }
        }
        created.add(TestClient.json(post(tenant, admin, body(a, "read", "group", "literal", "orders", "allow"))).get("id").asText());
        created.sort(null);

        String acls = "/v1/tenants/" + tenant + "/acls";
        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = TestClient.json(client.get(acls + "?pageSize=3" + (token == null ? "" : "&pageToken=" + token), admin));
            assertTrue(page.get("items").size() <= 3);
            page.get("items").forEach(i -> paged.add(i.get("id").asText()));
            token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
            pages++;
        } while (token != null);
        assertEquals(3, pages);
        assertEquals(created, paged, "every ACL once, in id order");

        assertEquals(4, TestClient.json(client.get(acls + "?principal=" + a, admin)).get("items").size());
        assertEquals(6, TestClient.json(client.get(acls + "?resourceType=topic", admin)).get("items").size());
        assertEquals(3, TestClient.json(client.get(acls + "?resourceName=orders", admin)).get("items").size());
        JsonNode one = TestClient.json(client.get(acls + "?principal=" + b + "&resourceType=topic&resourceName=audit", admin));
        assertEquals(1, one.get("items").size());
        assertEquals(b, one.get("items").get(0).get("principal").asText());
        assertFalse(one.hasNonNull("nextPageToken"));
        JsonNode filteredPage = TestClient.json(client.get(acls + "?principal=" + a + "&pageSize=2", admin));
        assertEquals(2, filteredPage.get("items").size());
        assertTrue(filteredPage.hasNonNull("nextPageToken"));
        assertEquals(0, TestClient.json(client.get(acls + "?principal=corp:nobody", admin)).get("items").size());

        assertProblem(client.get(acls + "?pageToken=!!", admin), 400, "INVALID_PAGE_TOKEN");
        assertProblem(client.get(acls + "?pageToken=" + TestClient.uniqueId("x"), admin), 400, "INVALID_PAGE_TOKEN");
        assertProblem(client.get(acls + "?pageSize=0", admin), 400, "INVALID_REQUEST");
        assertProblem(client.get(acls + "?resourceType=cluster", admin), 400, "INVALID_REQUEST");
    }

    @Test
    void onlyTheTenantsAdministratorsManageItsAcls() throws Exception {
        String tenant = newTenant();
        String tenantAdmin = tokenOf(account(tenant, "tenant-admin"));
        JsonNode memberAccount = account(tenant, "member");
        String member = tokenOf(memberAccount);
        String other = newTenant();
        String otherAdmin = tokenOf(account(other, "tenant-admin"));
        String acls = "/v1/tenants/" + tenant + "/acls";
        String existing = TestClient.json(post(tenant, tenantAdmin, body("*", "read", "topic", "literal", "orders", "allow")))
                .get("id").asText();
        // Even an ACL granting the member everything gives it no say over ACLs.
        post(tenant, tenantAdmin, body(memberAccount.get("id").asText(), "all", "tenant", "literal", tenant, "allow"));
        post(tenant, tenantAdmin, body(memberAccount.get("id").asText(), "all", "topic", "literal", "*", "allow"));
        List<String> before = ids(tenant);
        long version = new AclStore(store).version(tenant);

        for (String intruder : List.of(member, otherAdmin)) {
            String escalation = body(memberAccount.get("id").asText(), "all", "group", "literal", "*", "allow").toString();
            assertProblem(client.postJson(acls, intruder, escalation), 403, "FORBIDDEN");
            assertProblem(client.postJson(acls, intruder, "{}"), 403, "FORBIDDEN");
            assertProblem(client.get(acls, intruder), 403, "FORBIDDEN");
            assertProblem(client.get(acls + "/" + existing, intruder), 403, "FORBIDDEN");
            assertProblem(client.get(acls + "/aaaaaaaaaaaaaaaaaaaa", intruder), 403, "FORBIDDEN");
            assertProblem(client.delete(acls + "/" + existing, intruder), 403, "FORBIDDEN");
            assertProblem(client.get("/v1/tenants/no-such-tenant/acls", intruder), 403, "FORBIDDEN");
        }
        assertEquals(before, ids(tenant));
        assertEquals(version, new AclStore(store).version(tenant), "nothing was written");
        assertEquals(List.of(), ids(other));

        // Its own tenant's administrator and platform administrators do.
        assertEquals(200, client.get(acls + "/" + existing, admin).statusCode());
        assertEquals(200, client.get(acls, tenantAdmin).statusCode());
        assertEquals(204, client.delete(acls + "/" + existing, admin).statusCode());
        assertFalse(ids(tenant).contains(existing));

        HttpResponse<String> anonymous = client.get(acls, null);
        assertEquals(401, anonymous.statusCode());
        assertEquals("UNAUTHENTICATED", TestClient.json(anonymous).get("code").asText());
    }
}
