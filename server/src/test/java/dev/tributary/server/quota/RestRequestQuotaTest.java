package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.quota.QuotaTestSupport.Tenant;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant's requests/s quota covers its REST calls too: past the budget they get 429 THROTTLED
 * with Retry-After before anything runs, the call succeeds again after that delay, and another
 * tenant and the platform administrator are not held back.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class RestRequestQuotaTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private QuotaTestSupport q;

    @BeforeEach
    void connect() throws Exception {
        q = QuotaTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        q.close();
    }

    @Test
    void restCallsOfATenantDrawOnItsRequestBudget() throws Exception {
        Tenant limited = q.newTenant("rq");
        Tenant other = q.newTenant("rq-other");
        q.setQuota(limited.id(), "{\"requestsPerSecond\":2}");

        // The burst is one second of budget: within a few dozen back-to-back calls the budget is spent.
        HttpResponse<String> throttled = null;
        int admitted = 0;
        for (int i = 0; i < 50 && throttled == null; i++) {
            HttpResponse<String> r = q.client.get("/v1/tenants/" + limited.id() + "/topics", limited.adminToken());
            if (r.statusCode() == 429) {
                throttled = r;
            } else {
                assertEquals(200, r.statusCode(), r.body());
                admitted++;
            }
        }
        assertTrue(throttled != null, "50 calls in a row at 2 requests/s were never throttled");
        assertTrue(admitted >= 1 && admitted <= 10, "admitted before the first throttle: " + admitted);
        assertTrue(throttled.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        assertEquals("THROTTLED", TestClient.json(throttled).get("code").asText(), throttled.body());
        long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);

        // A throttled write changes nothing.
        HttpResponse<String> create = q.client.postJson("/v1/tenants/" + limited.id() + "/topics", limited.adminToken(),
                "{\"name\":\"never\",\"partitions\":1}");
        if (create.statusCode() == 429) {
            assertEquals("THROTTLED", TestClient.json(create).get("code").asText());
            Thread.sleep(retryAfter * 1000);
            assertEquals(404, q.client.get("/v1/tenants/" + limited.id() + "/topics/never", limited.adminToken()).statusCode());
        }

        // Neither another tenant nor the platform administrator is held back.
        for (int i = 0; i < 10; i++) {
            assertEquals(200, q.client.get("/v1/tenants/" + other.id() + "/topics", other.adminToken()).statusCode());
            assertEquals(200, q.client.get("/v1/tenants/" + limited.id() + "/quota", q.platformAdmin).statusCode());
        }

        // After the delay the tenant's calls go through again.
        Thread.sleep(retryAfter * 1000);
        HttpResponse<String> again = q.client.get("/v1/tenants/" + limited.id() + "/topics", limited.adminToken());
        assertEquals(200, again.statusCode(), again.body());
    }
}
