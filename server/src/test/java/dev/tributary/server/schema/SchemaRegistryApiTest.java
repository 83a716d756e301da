package dev.tributary.server.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.Reader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Confluent-compatible schema registry over the server's real TLS listener with real tokens:
 * every endpoint and its error codes, soft and hard deletes, modes, references, compatibility,
 * bad input (nothing stored), and who may do what: tenants see only their own subjects and ids,
 * members need ACLs on subjects, platform administrators and anonymous callers get nothing.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SchemaRegistryApiTest {
    static final String SR = "/schema-registry";
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    static final String ORDER_V2 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}";
    /** Adds a field without a default: not BACKWARD compatible with ORDER. */
    static final String ORDER_BREAKING = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"sku\",\"type\":\"string\"}]}";

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private TestClient client;
    private String platformAdmin;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        platformAdmin = client.adminToken(config.dataDir());
    }

    /** A new tenant with an administrator; returns the administrator's token. */
    private String newTenantAdmin() throws Exception {
        return client.tenantWithAccount(platformAdmin, TestClient.uniqueId("sr"), "tenant-admin");
    }

    private static String tenantOf(String token) throws Exception {
        return TestClient.claims(token).get("tributary_tenant").asText();
    }

    private String member(String tenant, String name) throws Exception {
        JsonNode account = client.createServiceAccount(platformAdmin, tenant, name, "member");
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    static String body(String schema) {
        return TestClient.JSON.createObjectNode().put("schema", schema).toString();
    }

    static String bodyWithReferences(String schema, String name, String subject, int version) {
        ObjectNode body = TestClient.JSON.createObjectNode().put("schema", schema);
        ArrayNode refs = body.putArray("references");
        refs.addObject().put("name", name).put("subject", subject).put("version", version);
        return body.toString();
    }

    private HttpResponse<String> send(String method, String path, String token, String contentType, String json) throws Exception {
        HttpRequest.Builder request = client.request(SR + path, token);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", contentType).method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return client.send(request);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token, null, null);
    }

    private HttpResponse<String> post(String path, String token, String json) throws Exception {
        return send("POST", path, token, V1, json);
    }

    private HttpResponse<String> put(String path, String token, String json) throws Exception {
        return send("PUT", path, token, V1, json);
    }

    private HttpResponse<String> delete(String path, String token) throws Exception {
        return send("DELETE", path, token, null, null);
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(V1, response.headers().firstValue("content-type").orElse(""), response.body());
        return TestClient.json(response);
    }

    /** A Confluent error: the HTTP status, {"error_code": N, "message": ...} and the registry's media type. */
    private static String assertError(HttpResponse<String> response, int status, int errorCode) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(V1, response.headers().firstValue("content-type").orElse(""), response.body());
        JsonNode error = TestClient.json(response);
        assertEquals(errorCode, error.get("error_code").asInt(), response.body());
        assertTrue(error.get("message").asText().length() > 5, response.body());
        return error.get("message").asText();
    }

    private int register(String token, String subject, String json) throws Exception {
        return ok(post("/subjects/" + subject + "/versions", token, json)).get("id").asInt();
    }

    @Test
    void registerReadAndLookUpOverEveryEndpoint() throws Exception {
        String admin = newTenantAdmin();
        assertEquals("[\"AVRO\"]", ok(get("/schemas/types", admin)).toString());
        assertEquals("{}", ok(get("", admin)).toString());
        assertEquals(0, ok(get("/subjects", admin)).size());

        assertEquals(1, register(admin, "orders-value", body(ORDER)));
        // The same schema, reformatted and sent as plain JSON or as bytes, is the same id and version.
        String reformatted = "{ \"namespace\":\"shop\", \"name\":\"Order\", \"type\":\"record\", \"fields\":[{\"type\":\"string\",\"name\":\"id\"}] }";
        assertEquals(1, TestClient.json(send("POST", "/subjects/orders-value/versions", admin, "application/json", body(reformatted)))
                .get("id").asInt());
        assertEquals(1, TestClient.json(send("POST", "/subjects/orders-value/versions", admin, "application/octet-stream",
                body(ORDER))).get("id").asInt());
        assertEquals(2, register(admin, "orders-value", body(ORDER_V2)));
        assertEquals(1, register(admin, "archive", body(ORDER)), "same schema, other subject: same id");

        assertEquals("[\"archive\",\"orders-value\"]", ok(get("/subjects", admin)).toString());
        assertEquals("[\"orders-value\"]", ok(get("/subjects?subjectPrefix=orders", admin)).toString());
        assertEquals("[1,2]", ok(get("/subjects/orders-value/versions", admin)).toString());
        JsonNode v1 = ok(get("/subjects/orders-value/versions/1", admin));
        assertEquals("orders-value", v1.get("subject").asText());
        assertEquals(1, v1.get("version").asInt());
        assertEquals(1, v1.get("id").asInt());
        assertEquals(ORDER, v1.get("schema").asText(), "stored in canonical form");
        assertFalse(v1.has("schemaType"), "AVRO is the default and is not spelled out, as in Confluent's answers");
        assertFalse(v1.has("references"));
        assertEquals(2, ok(get("/subjects/orders-value/versions/latest", admin)).get("version").asInt());
        assertEquals(2, ok(get("/subjects/orders-value/versions/-1", admin)).get("version").asInt());
        HttpResponse<String> raw = get("/subjects/orders-value/versions/1/schema", admin);
        assertEquals(200, raw.statusCode());
        assertEquals(ORDER, raw.body());
        // Clients that ask for application/json get it.
        HttpResponse<String> asJson = client.send(client.request(SR + "/subjects", admin).header("accept", "application/json").GET());
        assertEquals("application/json", asJson.headers().firstValue("content-type").orElse(""));
        // What Confluent's Java client sends.
        HttpResponse<String> confluent = client.send(client.request(SR + "/subjects", admin).header("accept",
                "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5").GET());
        assertEquals(V1, confluent.headers().firstValue("content-type").orElse(""));

        // Lookup by content.
        JsonNode found = ok(post("/subjects/orders-value", admin, body(reformatted)));
        assertEquals(1, found.get("version").asInt());
        assertEquals(1, found.get("id").asInt());
        assertEquals("orders-value", found.get("subject").asText());
        assertError(post("/subjects/orders-value", admin, body(ORDER_BREAKING)), 404, 40403);
        assertError(post("/subjects/nothing-here", admin, body(ORDER)), 404, 40401);

        // Schemas by id.
        assertEquals(ORDER, ok(get("/schemas/ids/1", admin)).get("schema").asText());
        assertEquals(ORDER, get("/schemas/ids/1/schema", admin).body());
        assertEquals("[{\"subject\":\"archive\",\"version\":1},{\"subject\":\"orders-value\",\"version\":1}]",
                ok(get("/schemas/ids/1/versions", admin)).toString());
        assertEquals("[\"archive\",\"orders-value\"]", ok(get("/schemas/ids/1/subjects", admin)).toString());
        assertError(get("/schemas/ids/999", admin), 404, 40403);
        assertError(get("/schemas/ids/0", admin), 404, 40403);
        assertError(get("/schemas/ids/abc", admin), 404, 40403);
        assertError(get("/schemas/ids/999/versions", admin), 404, 40403);

        // Not found and invalid versions.
        assertError(get("/subjects/nothing-here/versions", admin), 404, 40401);
        assertError(get("/subjects/nothing-here/versions/1", admin), 404, 40401);
        assertError(get("/subjects/orders-value/versions/9", admin), 404, 40402);
        assertError(get("/subjects/orders-value/versions/0", admin), 422, 42202);
        assertError(get("/subjects/orders-value/versions/abc", admin), 422, 42202);
        assertError(get("/no-such-endpoint", admin), 404, 404);
    }

    @Test
    void compatibilityIsCheckedOnRegistrationAndOnRequest() throws Exception {
        String admin = newTenantAdmin();
        register(admin, "orders", body(ORDER));
        // Default level BACKWARD: a new field without a default breaks it; nothing is stored.
        String message = assertError(post("/subjects/orders/versions", admin, body(ORDER_BREAKING)), 409, 409);
        assertTrue(message.contains("READER_FIELD_MISSING_DEFAULT_VALUE") && message.contains("'sku'")
                && message.contains("version 1") && message.contains("BACKWARD"), message);
        assertEquals("[1]", ok(get("/subjects/orders/versions", admin)).toString());

        JsonNode verbose = ok(post("/compatibility/subjects/orders/versions/latest?verbose=true", admin, body(ORDER_BREAKING)));
        assertFalse(verbose.get("is_compatible").asBoolean());
        assertTrue(verbose.get("messages").get(0).asText().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), verbose.toString());
        JsonNode terse = ok(post("/compatibility/subjects/orders/versions/1", admin, body(ORDER_BREAKING)));
        assertEquals("{\"is_compatible\":false}", terse.toString());
        assertEquals("{\"is_compatible\":true}", ok(post("/compatibility/subjects/orders/versions", admin, body(ORDER_V2))).toString());
        assertEquals(true, ok(post("/compatibility/subjects/orders/versions/latest?verbose=true", admin, body(ORDER_V2)))
                .get("is_compatible").asBoolean());
        assertError(post("/compatibility/subjects/orders/versions/7", admin, body(ORDER_V2)), 404, 40402);
        assertError(post("/compatibility/subjects/orders/versions/x", admin, body(ORDER_V2)), 422, 42202);
        assertError(post("/compatibility/subjects/new-subject/versions/1", admin, body(ORDER_V2)), 404, 40401);
        assertTrue(ok(post("/compatibility/subjects/new-subject/versions/latest", admin, body(ORDER_BREAKING)))
                .get("is_compatible").asBoolean(), "nothing to be incompatible with");

        // With the subject at NONE the same schema registers.
        assertEquals("{\"compatibility\":\"NONE\"}", ok(put("/config/orders", admin, "{\"compatibility\":\"NONE\"}")).toString());
        assertEquals(2, register(admin, "orders", body(ORDER_BREAKING)));
    }

    @Test
    void configAndModeEndpoints() throws Exception {
        String admin = newTenantAdmin();
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", ok(get("/config", admin)).toString());
        assertEquals("{\"compatibility\":\"FULL\"}", ok(put("/config", admin, "{\"compatibility\":\"FULL\"}")).toString());
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", ok(get("/config", admin)).toString());
        assertError(put("/config", admin, "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
        assertError(put("/config", admin, "{}"), 422, 42203);
        assertError(get("/config/orders", admin), 404, 40408);
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", ok(get("/config/orders?defaultToGlobal=true", admin)).toString());
        assertEquals("{\"compatibility\":\"FORWARD_TRANSITIVE\"}",
                ok(put("/config/orders", admin, "{\"compatibilityLevel\":\"forward_transitive\"}")).toString());
        assertEquals("{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}", ok(get("/config/orders", admin)).toString());
        assertEquals("{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}", ok(delete("/config/orders", admin)).toString());
        assertError(delete("/config/orders", admin), 404, 40401);
        register(admin, "orders", body(ORDER));
        assertError(delete("/config/orders", admin), 404, 40408);
        assertEquals("{\"compatibilityLevel\":\"FULL\"}", ok(delete("/config", admin)).toString());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", ok(get("/config", admin)).toString());

        // Modes.
        assertEquals("{\"mode\":\"READWRITE\"}", ok(get("/mode", admin)).toString());
        assertError(get("/mode/orders", admin), 404, 40409);
        assertEquals("{\"mode\":\"READWRITE\"}", ok(get("/mode/orders?defaultToGlobal=true", admin)).toString());
        assertEquals("{\"mode\":\"READONLY\"}", ok(put("/mode/orders", admin, "{\"mode\":\"READONLY\"}")).toString());
        assertError(post("/subjects/orders/versions", admin, body(ORDER_V2)), 422, 42205);
        assertError(delete("/subjects/orders/versions/1", admin), 422, 42205);
        assertError(delete("/subjects/orders", admin), 422, 42205);
        assertEquals(1, register(admin, "orders", body(ORDER)), "an identical schema is still answered");
        assertError(put("/mode/orders", admin, "{\"mode\":\"READMOSTLY\"}"), 422, 42204);
        assertEquals("{\"mode\":\"READONLY\"}", ok(delete("/mode/orders", admin)).toString());
        assertError(delete("/mode/orders", admin), 404, 40409);

        // IMPORT: refused while the tenant has subjects unless forced; then ids and versions come from the request.
        assertError(put("/mode", admin, "{\"mode\":\"IMPORT\"}"), 422, 42205);
        assertEquals("{\"mode\":\"IMPORT\"}", ok(put("/mode?force=true", admin, "{\"mode\":\"IMPORT\"}")).toString());
        assertError(post("/subjects/migrated/versions", admin, body(ORDER_V2)), 422, 42205);
        ObjectNode imported = TestClient.JSON.createObjectNode().put("schema", ORDER_BREAKING).put("id", 500).put("version", 3);
        assertEquals(500, register(admin, "migrated", imported.toString()));
        assertEquals(3, ok(get("/subjects/migrated/versions/latest", admin)).get("version").asInt());
        assertEquals(500, ok(get("/subjects/migrated/versions/3", admin)).get("id").asInt());
        assertError(post("/subjects/migrated/versions", admin, imported.put("schema", ORDER_V2).put("version", 4).toString()), 422, 42205);
        assertError(post("/subjects/migrated/versions", admin,
                TestClient.JSON.createObjectNode().put("schema", ORDER).put("id", 501).toString()), 422, 42207);
        assertEquals("{\"mode\":\"READWRITE\"}", ok(put("/mode", admin, "{\"mode\":\"READWRITE\"}")).toString());
        assertError(post("/subjects/migrated/versions", admin,
                TestClient.JSON.createObjectNode().put("schema", ORDER_V2).put("id", 600).toString()), 422, 42205);
        assertEquals(501, register(admin, "fresh", body("\"long\"")), "ids continue after the highest imported one");
    }

    @Test
    void softAndHardDeleteRules() throws Exception {
        String admin = newTenantAdmin();
        register(admin, "orders", body(ORDER));
        register(admin, "orders", body(ORDER_V2));
        assertError(delete("/subjects/orders/versions/1?permanent=true", admin), 404, 40407);
        assertEquals("1", delete("/subjects/orders/versions/1", admin).body());
        assertError(delete("/subjects/orders/versions/1", admin), 404, 40406);
        assertError(get("/subjects/orders/versions/1", admin), 404, 40402);
        assertEquals(1, ok(get("/subjects/orders/versions/1?deleted=true", admin)).get("version").asInt());
        assertEquals("[2]", ok(get("/subjects/orders/versions", admin)).toString());
        assertEquals("[1,2]", ok(get("/subjects/orders/versions?deleted=true", admin)).toString());
        assertError(post("/subjects/orders", admin, body(ORDER)), 404, 40403);
        assertEquals(1, ok(post("/subjects/orders?deleted=true", admin, body(ORDER))).get("version").asInt());
        assertEquals(ORDER, ok(get("/schemas/ids/1", admin)).get("schema").asText(), "soft-deleted schemas are still served by id");
        assertEquals("[]", ok(get("/schemas/ids/1/versions", admin)).toString());
        assertEquals("[{\"subject\":\"orders\",\"version\":1}]", ok(get("/schemas/ids/1/versions?deleted=true", admin)).toString());
        assertError(delete("/subjects/orders/versions/9", admin), 404, 40402);
        assertError(delete("/subjects/orders/versions/zero", admin), 422, 42202);

        assertError(delete("/subjects/orders?permanent=true", admin), 404, 40405);
        assertEquals("[2]", delete("/subjects/orders", admin).body());
        assertError(delete("/subjects/orders", admin), 404, 40404);
        assertEquals("[]", ok(get("/subjects", admin)).toString());
        assertEquals("[\"orders\"]", ok(get("/subjects?deleted=true", admin)).toString());
        assertError(get("/subjects/orders/versions", admin), 404, 40401);
        assertEquals("[1,2]", delete("/subjects/orders?permanent=true", admin).body());
        assertError(get("/subjects/orders/versions?deleted=true", admin), 404, 40401);
        assertError(delete("/subjects/orders", admin), 404, 40401);
        assertError(get("/schemas/ids/1", admin), 404, 40403);
        // Ids are never reused: the same schema registered again gets a new one.
        assertEquals(3, register(admin, "orders", body(ORDER)));
        assertEquals(1, ok(get("/subjects/orders/versions/latest", admin)).get("version").asInt());
    }

    @Test
    void references() throws Exception {
        String admin = newTenantAdmin();
        String address = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
        String customer = "{\"type\":\"record\",\"name\":\"Customer\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"home\",\"type\":\"shop.Address\"}]}";
        int addressId = register(admin, "address", body(address));
        int customerId = register(admin, "customer", bodyWithReferences(customer, "shop.Address", "address", 1));
        JsonNode stored = ok(get("/subjects/customer/versions/1", admin));
        assertEquals("[{\"name\":\"shop.Address\",\"subject\":\"address\",\"version\":1}]", stored.get("references").toString());
        assertEquals(stored.get("references"), ok(get("/schemas/ids/" + customerId, admin)).get("references"));
        assertEquals("[" + customerId + "]", ok(get("/subjects/address/versions/1/referencedby", admin)).toString());
        assertEquals(customerId, ok(post("/subjects/customer", admin, bodyWithReferences(customer, "shop.Address", "address", 1)))
                .get("id").asInt());

        assertError(delete("/subjects/address/versions/1", admin), 422, 42206);
        assertError(delete("/subjects/address", admin), 422, 42206);
        // References to what does not exist, or a schema using a type nothing defines: 42201, nothing stored.
        assertError(post("/subjects/c2/versions", admin, bodyWithReferences(customer, "shop.Address", "nowhere", 1)), 422, 42201);
        assertError(post("/subjects/c2/versions", admin, bodyWithReferences(customer, "shop.Address", "address", 5)), 422, 42201);
        assertError(post("/subjects/c2/versions", admin, body(customer)), 422, 42201);
        assertError(get("/subjects/c2/versions", admin), 404, 40401);

        assertEquals("[1]", delete("/subjects/customer", admin).body());
        assertEquals("[1]", delete("/subjects/customer?permanent=true", admin).body());
        assertEquals("[]", ok(get("/subjects/address/versions/1/referencedby", admin)).toString());
        assertEquals("[1]", delete("/subjects/address", admin).body());
        assertEquals(address, ok(get("/schemas/ids/" + addressId, admin)).get("schema").asText());
    }

    @Test
    void badInputGetsConfluentErrorsAndStoresNothing() throws Exception {
        String admin = newTenantAdmin();
        assertEquals(1, register(admin, "orders", body(ORDER)));
        String path = "/subjects/orders/versions";
        assertError(post(path, admin, "{\"schema\": "), 400, 400);
        assertError(post(path, admin, "not json at all"), 400, 400);
        assertError(post(path, admin, "[1,2]"), 422, 422);
        assertError(post(path, admin, "{\"schema\": 42}"), 422, 422);
        assertError(post(path, admin, "{\"schema\": \"\\\"int\\\"\", \"references\": \"none\"}"), 422, 422);
        assertError(send("POST", path, admin, V1, ""), 422, 422);
        assertError(post(path, admin, "{}"), 422, 42201);
        assertError(post(path, admin, body("{\"type\":\"record\",\"name\":\"X\"}")), 422, 42201);
        assertError(post(path, admin, body("{\"type\":\"nope\"}")), 422, 42201);
        assertError(post(path, admin, body("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}")),
                422, 42201);
        String unknownType = TestClient.JSON.createObjectNode().put("schema", "syntax = \"proto3\";").put("schemaType", "PROTOBUF").toString();
        String message = assertError(post(path, admin, unknownType), 422, 42201);
        assertTrue(message.contains("PROTOBUF") && message.contains("AVRO"), message);
        assertError(post(path, admin, TestClient.JSON.createObjectNode().put("schema", ORDER_V2).putNull("ruleSet")
                .set("metadata", TestClient.JSON.createObjectNode().put("k", "v")).toString()), 422, 42201);
        // Larger than tributary.schema-registry.max-schema-bytes (1 MiB by default).
        String huge = "{\"type\":\"record\",\"name\":\"Big\",\"doc\":\"" + "x".repeat(1024 * 1024) + "\",\"fields\":[]}";
        message = assertError(post(path, admin, body(huge)), 422, 42209);
        assertTrue(message.contains("tributary.schema-registry.max-schema-bytes"), message);
        // Subjects that cannot exist.
        assertError(post("/subjects/%01bad/versions", admin, body(ORDER)), 422, 42208);
        assertError(post("/subjects/:.ctx:orders/versions", admin, body(ORDER)), 422, 42208);
        assertError(post("/subjects/" + "s".repeat(1001) + "/versions", admin, body(ORDER)), 422, 42208);
        assertError(put("/config/orders", admin, "{\"compatibility\": ["), 400, 400);
        assertError(put("/mode/orders", admin, "{\"mode\": 1}"), 422, 422);

        assertEquals("[\"orders\"]", ok(get("/subjects", admin)).toString());
        assertEquals("[1]", ok(get("/subjects/orders/versions", admin)).toString());
        assertError(get("/config/orders", admin), 404, 40408);
        assertError(get("/mode/orders", admin), 404, 40409);
        assertEquals(2, register(admin, "orders", body(ORDER_V2)), "no id was used up by the refused requests");
    }

    @Test
    void tenantsAreIsolatedAndIdsArePerTenant() throws Exception {
        String a = newTenantAdmin();
        String b = newTenantAdmin();
        assertEquals(1, register(a, "orders-value", body(ORDER)));
        assertEquals(2, register(a, "orders-value", body(ORDER_V2)));
        put("/config", a, "{\"compatibility\":\"NONE\"}");

        // Tenant B sees none of A's subjects, ids, or settings, and cannot change them.
        assertEquals("[]", ok(get("/subjects?deleted=true", b)).toString());
        assertError(get("/subjects/orders-value/versions", b), 404, 40401);
        assertError(get("/subjects/orders-value/versions/1", b), 404, 40401);
        assertError(post("/subjects/orders-value", b, body(ORDER)), 404, 40401);
        assertError(get("/schemas/ids/1", b), 404, 40403);
        assertError(get("/schemas/ids/2/versions", b), 404, 40403);
        assertError(delete("/subjects/orders-value", b), 404, 40401);
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", ok(get("/config", b)).toString());
        // B's ids start at 1 and name B's schemas.
        assertEquals(1, register(b, "orders-value", body(ORDER_V2)));
        assertEquals(ORDER_V2, ok(get("/schemas/ids/1", b)).get("schema").asText());
        assertEquals(ORDER, ok(get("/schemas/ids/1", a)).get("schema").asText());
        assertEquals("[1,2]", ok(get("/subjects/orders-value/versions", a)).toString());
        assertEquals("[1]", ok(get("/subjects/orders-value/versions", b)).toString());
        assertEquals("{\"compatibilityLevel\":\"NONE\"}", ok(get("/config", a)).toString());
    }

    @Test
    void membersNeedAclsPlatformAdministratorsAndAnonymousCallersGetNothing() throws Exception {
        String admin = newTenantAdmin();
        String tenant = tenantOf(admin);
        register(admin, "orders-value", body(ORDER));
        register(admin, "payments-value", body("\"string\""));
        String member = member(tenant, "reader");

        // Without ACLs a member may only see the tenant-wide settings and types.
        assertError(get("/subjects/orders-value/versions", member), 403, 40301);
        assertEquals("[]", ok(get("/subjects", member)).toString());
        assertError(get("/schemas/ids/1", member), 403, 40301);
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", ok(get("/config", member)).toString());
        assertEquals("[\"AVRO\"]", ok(get("/schemas/types", member)).toString());

        // READ on one subject: that subject, its ids and lookups; nothing else.
        String principal = TestClient.principalOf(member);
        client.grantAcl(admin, tenant, principal, "read", "subject", "orders-value");
        assertEquals("[\"orders-value\"]", ok(get("/subjects", member)).toString());
        assertEquals("[1]", ok(get("/subjects/orders-value/versions", member)).toString());
        assertEquals(ORDER, ok(get("/schemas/ids/1", member)).get("schema").asText());
        assertEquals(1, ok(post("/subjects/orders-value", member, body(ORDER))).get("id").asInt());
        assertTrue(ok(post("/compatibility/subjects/orders-value/versions/latest", member, body(ORDER_V2))).get("is_compatible").asBoolean());
        assertError(get("/subjects/payments-value/versions", member), 403, 40301);
        assertError(get("/schemas/ids/2", member), 403, 40301);
        assertError(post("/subjects/orders-value/versions", member, body(ORDER_V2)), 403, 40301);
        assertError(delete("/subjects/orders-value", member), 403, 40301);
        assertError(put("/config/orders-value", member, "{\"compatibility\":\"NONE\"}"), 403, 40301);
        assertError(put("/mode/orders-value", member, "{\"mode\":\"READONLY\"}"), 403, 40301);
        assertError(put("/config", member, "{\"compatibility\":\"NONE\"}"), 403, 40301);
        assertError(put("/mode", member, "{\"mode\":\"READONLY\"}"), 403, 40301);

        // WRITE, DELETE and ALTER_CONFIGS each allow exactly their operation.
        client.grantAcl(admin, tenant, principal, "write", "subject", "orders-value");
        assertEquals(3, register(member, "orders-value", body(ORDER_V2)), "ids 1 and 2 are taken by the two subjects' schemas");
        assertEquals(2, ok(get("/subjects/orders-value/versions/latest", member)).get("version").asInt());
        assertError(delete("/subjects/orders-value/versions/2", member), 403, 40301);
        client.grantAcl(admin, tenant, principal, "delete", "subject", "orders-value");
        assertEquals("2", delete("/subjects/orders-value/versions/2", member).body());
        assertError(put("/config/orders-value", member, "{\"compatibility\":\"NONE\"}"), 403, 40301);
        client.grantAcl(admin, tenant, principal, "alter-configs", "subject", "orders-value");
        assertEquals("{\"compatibility\":\"NONE\"}", ok(put("/config/orders-value", member, "{\"compatibility\":\"NONE\"}")).toString());
        assertError(put("/config", member, "{\"compatibility\":\"NONE\"}"), 403, 40301);
        client.grantAcl(admin, tenant, principal, "alter-configs", "tenant", tenant);
        assertEquals("{\"compatibility\":\"FULL\"}", ok(put("/config", member, "{\"compatibility\":\"FULL\"}")).toString());

        // Platform administrators belong to no tenant: no registry.
        for (String path : List.of("", "/subjects", "/schemas/ids/1", "/config", "/mode", "/subjects/orders-value/versions")) {
            String why = assertError(get(path, platformAdmin), 403, 40301);
            assertTrue(why.contains("per tenant"), why);
        }
        assertError(post("/subjects/x/versions", platformAdmin, body(ORDER)), 403, 40301);

        // No token, or a bad one: 401 (the listener's problem+json, as on every path), nothing done.
        HttpResponse<String> anonymous = post("/subjects/planted/versions", null, body(ORDER));
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("UNAUTHENTICATED", TestClient.json(anonymous).get("code").asText());
        String adminId = TestClient.awaitProfileWithCredentials(config.dataDir()).credentials().clientId();
        for (Map.Entry<String, String> bad : BadTokens.of(issuer, adminId).entrySet()) {
            HttpResponse<String> answer = get("/subjects", bad.getValue());
            assertEquals(401, answer.statusCode(), bad.getKey() + ": " + answer.body());
            assertEquals(BadTokens.expectedCode(bad.getKey()), TestClient.json(answer).get("code").asText(), bad.getKey());
        }
        assertEquals("[\"orders-value\",\"payments-value\"]", ok(get("/subjects", admin)).toString());
    }

    @Test
    void theClientProfileNamesTheRegistry() throws Exception {
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(config.dataDir(), ConnectionProfile.FILE_NAME);
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(config.dataDir().resolve(ConnectionProfile.FILE_NAME), StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        String url = props.getProperty(ConnectionProfile.SCHEMA_REGISTRY_URL);
        assertEquals(profile.endpoint() + SR, url);
        // A Confluent client appends the endpoint paths to the URL as given: that must reach the registry.
        String token = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        TestClient viaProfile = new TestClient(URI.create(url + "/"), client.caFile());
        HttpResponse<String> types = viaProfile.get(url + "/schemas/types", token);
        assertEquals(200, types.statusCode(), types.body());
        assertEquals("[\"AVRO\"]", types.body());
    }
}
