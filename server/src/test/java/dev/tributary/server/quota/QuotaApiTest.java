package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.quota.QuotaTestSupport.Tenant;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The quota REST API over the real TLS listener with real tokens: limits and usage, ETag /
 * If-Match, precise refusals of invalid limits, and who may read and change a quota.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class QuotaApiTest {
    private static final String ALL_LIMITS = "{\"produceBytesPerSecond\":1000000,\"fetchBytesPerSecond\":2000000,"
            + "\"requestsPerSecond\":500,\"storageBytes\":1073741824,\"topics\":10,\"partitions\":40,\"connections\":8}";

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private QuotaTestSupport q;

    @BeforeEach
    void connect() throws Exception {
        q = QuotaTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        q.close();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"),
                response.headers().toString());
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    private static void assertUnlimited(JsonNode limits) {
        for (String name : List.of("produceBytesPerSecond", "fetchBytesPerSecond", "requestsPerSecond", "storageBytes", "topics",
                "partitions", "connections")) {
            assertTrue(limits.has(name) && limits.get(name).isNull(), name + " in " + limits);
        }
    }

    @Test
    void aNewTenantHasTheDefaultsAndItsUsageIsCountedAndMeasured() throws Exception {
        Tenant t = q.newTenant("qa");
        HttpResponse<String> initial = q.getQuota(t.id(), t.adminToken()); // the tenant's own administrator may read it
        assertEquals(200, initial.statusCode(), initial.body());
        assertTrue(initial.headers().firstValue("ETag").isPresent());
        JsonNode body = TestClient.json(initial);
        assertUnlimited(body.get("limits")); // the test server configures no defaults
        JsonNode usage = body.get("usage");
        assertEquals(0, usage.get("topics").asLong());
        assertEquals(0, usage.get("partitions").asLong());
        assertEquals(0, usage.get("storageBytes").asLong());
        assertEquals(0, usage.get("connections").asLong());
        assertEquals(0.0, usage.get("produceBytesPerSecond").asDouble());

        q.client.createTopic(t.adminToken(), t.id(), "a", 3, "{}");
        q.client.createTopic(t.adminToken(), t.id(), "b", 2, "{}");
        byte[] batch = QuotaTestSupport.batch(10, 1_000);
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("a", 0, batch));
        q.producer(t.adminToken()).produce(QuotaTestSupport.produceRequest("b", 1, batch));
        usage = q.quota(t.id()).get("usage");
        assertEquals(2, usage.get("topics").asLong());
        assertEquals(5, usage.get("partitions").asLong());
        assertEquals(2L * batch.length, usage.get("storageBytes").asLong()); // the partitions' stored bytes
        assertTrue(usage.get("produceBytesPerSecond").asDouble() > 0, usage.toString()); // this node's recent rate
        assertTrue(usage.get("requestsPerSecond").asDouble() > 0, usage.toString());

        assertEquals(204, q.client.delete("/v1/tenants/" + t.id() + "/topics/b", t.adminToken()).statusCode());
        usage = q.quota(t.id()).get("usage");
        assertEquals(1, usage.get("topics").asLong());
        assertEquals(3, usage.get("partitions").asLong());
        assertEquals(batch.length, usage.get("storageBytes").asLong());
    }

    @Test
    void putSetsTheLimitsAndIfMatchRefusesAStaleVersion() throws Exception {
        Tenant t = q.newTenant("qa");
        String before = q.getQuota(t.id(), q.platformAdmin).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> put = q.putQuota(t.id(), q.platformAdmin, ALL_LIMITS, before);
        assertEquals(200, put.statusCode(), put.body());
        String after = put.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(before, after);
        JsonNode limits = TestClient.json(put).get("limits");
        assertEquals(1_000_000, limits.get("produceBytesPerSecond").asLong());
        assertEquals(2_000_000, limits.get("fetchBytesPerSecond").asLong());
        assertEquals(500, limits.get("requestsPerSecond").asLong());
        assertEquals(1_073_741_824L, limits.get("storageBytes").asLong());
        assertEquals(10, limits.get("topics").asLong());
        assertEquals(40, limits.get("partitions").asLong());
        assertEquals(8, limits.get("connections").asLong());
        assertNotNull(TestClient.json(put).get("usage"));
        HttpResponse<String> read = q.getQuota(t.id(), t.adminToken());
        assertEquals(limits, TestClient.json(read).get("limits"));
        assertEquals(after, read.headers().firstValue("ETag").orElseThrow());

        // A change based on the version before: refused, nothing changes.
        assertProblem(q.putQuota(t.id(), q.platformAdmin, "{\"topics\":1}", before), 412, "PRECONDITION_FAILED");
        assertEquals(10, q.quota(t.id()).get("limits").get("topics").asLong());
        // Absent and null both mean unlimited.
        HttpResponse<String> partial = q.putQuota(t.id(), q.platformAdmin, "{\"topics\":3,\"partitions\":null}", after);
        assertEquals(200, partial.statusCode(), partial.body());
        JsonNode now = q.quota(t.id()).get("limits");
        assertEquals(3, now.get("topics").asLong());
        assertTrue(now.get("partitions").isNull() && now.get("produceBytesPerSecond").isNull(), now.toString());
        String current = partial.headers().firstValue("ETag").orElseThrow();

        // DELETE: back to the defaults, also guarded by If-Match.
        assertProblem(q.client.send(q.client.request("/v1/tenants/" + t.id() + "/quota", q.platformAdmin)
                .header("If-Match", after).DELETE()), 412, "PRECONDITION_FAILED");
        assertEquals(3, q.quota(t.id()).get("limits").get("topics").asLong());
        assertEquals(204, q.client.send(q.client.request("/v1/tenants/" + t.id() + "/quota", q.platformAdmin)
                .header("If-Match", current).DELETE()).statusCode());
        assertUnlimited(q.quota(t.id()).get("limits"));
        assertEquals(before, q.getQuota(t.id(), q.platformAdmin).headers().firstValue("ETag").orElseThrow());
    }

    @Test
    void invalidLimitsAreRefusedWithTheFieldNamedAndChangeNothing() throws Exception {
        Tenant t = q.newTenant("qa");
        q.setQuota(t.id(), "{\"topics\":5}");
        String[][] cases = {
            {"{\"produceBytesPerSecond\":0}", "produceBytesPerSecond must be a whole number of bytes per second from 1 to"},
            {"{\"requestsPerSecond\":-5}", "requestsPerSecond must be a whole number"},
            {"{\"topics\":-1}", "topics must be a whole number of topics from 0 to 9007199254740992, or null for unlimited; not -1"},
            {"{\"partitions\":2.5}", "partitions must be a whole number"},
            {"{\"connections\":\"3\"}", "connections must be a whole number"},
            {"{\"storageBytes\":9007199254740993}", "storageBytes must be a whole number of bytes from 0 to 9007199254740992"},
            {"{\"storageBytes\":1e30}", "storageBytes must be a whole number"},
            {"{\"topicz\":3}", "unknown limit 'topicz': the limits are produceBytesPerSecond, fetchBytesPerSecond,"},
            {"[1,2]", "the body must be a JSON object of limits"},
            {"5", "the body must be a JSON object of limits"},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = q.putQuota(t.id(), q.platformAdmin, c[0], null);
            assertProblem(response, 400, "INVALID_QUOTA");
            String detail = TestClient.json(response).get("detail").asText();
            assertTrue(detail.startsWith(c[1]), c[0] + " -> " + detail);
        }
        assertEquals(400, q.putQuota(t.id(), q.platformAdmin, "{\"topics\":", null).statusCode()); // malformed JSON
        JsonNode limits = q.quota(t.id()).get("limits");
        assertEquals(5, limits.get("topics").asLong());
        assertTrue(limits.get("partitions").isNull());
        // A whole number written with an exponent or a zero fraction is a whole number.
        assertEquals(200, q.putQuota(t.id(), q.platformAdmin, "{\"storageBytes\":1e6,\"topics\":2.0}", null).statusCode());
        assertEquals(1_000_000, q.quota(t.id()).get("limits").get("storageBytes").asLong());
    }

    @Test
    void onlyPlatformAdministratorsChangeAQuotaAndOnlyTheTenantsAdministratorsReadIt() throws Exception {
        Tenant t = q.newTenant("qa");
        Tenant other = q.newTenant("qa");
        JsonNode account = q.client.createServiceAccount(q.platformAdmin, t.id(), "worker", "member");
        String member = q.client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
        q.setQuota(t.id(), "{\"produceBytesPerSecond\":1000}");
        String etag = q.getQuota(t.id(), q.platformAdmin).headers().firstValue("ETag").orElseThrow();

        // The tenant's administrator may not raise (or remove) its own quota.
        assertProblem(q.putQuota(t.id(), t.adminToken(), "{\"produceBytesPerSecond\":100000000}", null), 403, "FORBIDDEN");
        assertProblem(q.putQuota(t.id(), t.adminToken(), "{}", etag), 403, "FORBIDDEN");
        assertProblem(q.client.delete("/v1/tenants/" + t.id() + "/quota", t.adminToken()), 403, "FORBIDDEN");
        // A member of the tenant may not read it; another tenant's administrator may neither read nor change it.
        assertProblem(q.getQuota(t.id(), member), 403, "FORBIDDEN");
        assertProblem(q.getQuota(t.id(), other.adminToken()), 403, "FORBIDDEN");
        assertProblem(q.putQuota(t.id(), other.adminToken(), "{}", null), 403, "FORBIDDEN");
        assertProblem(q.client.delete("/v1/tenants/" + t.id() + "/quota", other.adminToken()), 403, "FORBIDDEN");
        // Nor without a token, or with a bad one naming the platform administrator.
        assertProblem(q.getQuota(t.id(), null), 401, "UNAUTHENTICATED");
        assertProblem(q.putQuota(t.id(), null, "{}", null), 401, "UNAUTHENTICATED");
        String adminId = TestClient.awaitProfileWithCredentials(config.dataDir()).credentials().clientId();
        for (Map.Entry<String, String> bad : BadTokens.of(issuer, adminId).entrySet()) {
            String code = BadTokens.expectedCode(bad.getKey());
            assertProblem(q.getQuota(t.id(), bad.getValue()), 401, code);
            assertProblem(q.putQuota(t.id(), bad.getValue(), "{}", null), 401, code);
            assertProblem(q.client.delete("/v1/tenants/" + t.id() + "/quota", bad.getValue()), 401, code);
        }
        assertEquals(etag, q.getQuota(t.id(), q.platformAdmin).headers().firstValue("ETag").orElseThrow());
        assertEquals(1000, q.quota(t.id()).get("limits").get("produceBytesPerSecond").asLong());

        // Asking about another tenant tells nothing about whether it exists: 403 either way.
        assertProblem(q.getQuota("qa-nonexistent", other.adminToken()), 403, "FORBIDDEN");
        // The platform administrator learns that it does not exist, and setting its quota creates nothing.
        assertProblem(q.getQuota("qa-nonexistent", q.platformAdmin), 404, "TENANT_NOT_FOUND");
        assertProblem(q.putQuota("qa-nonexistent", q.platformAdmin, "{\"topics\":1}", null), 404, "TENANT_NOT_FOUND");
        assertProblem(q.client.delete("/v1/tenants/qa-nonexistent/quota", q.platformAdmin), 404, "TENANT_NOT_FOUND");
        assertProblem(q.getQuota("Not_A_Tenant", q.platformAdmin), 400, "INVALID_TENANT_ID");
    }
}
