package dev.tributary.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Topic and partition quotas over the topics REST API: a create or partition increase past the
 * quota is refused with 409 and nothing is created, also when many creates race (the check is in
 * the creating transaction).
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class CountQuotaTest {
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

    private HttpResponse<String> createTopic(Tenant t, String name, int partitions) throws Exception {
        return q.client.postJson("/v1/tenants/" + t.id() + "/topics", t.adminToken(),
                "{\"name\":\"" + name + "\",\"partitions\":" + partitions + "}");
    }

    private List<String> topicNames(Tenant t) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode item : TestClient.json(q.client.get("/v1/tenants/" + t.id() + "/topics", t.adminToken())).get("items")) {
            names.add(item.get("name").asText());
        }
        return names;
    }

    private static void assertConflict(HttpResponse<String> response, String code, String detailStart) throws Exception {
        assertEquals(409, response.statusCode(), response.body());
        JsonNode problem = TestClient.json(response);
        assertEquals(code, problem.get("code").asText());
        assertTrue(problem.get("detail").asText().startsWith(detailStart), problem.get("detail").asText());
    }

    @Test
    void aTopicPastTheTopicQuotaIsRefusedAndNothingIsCreated() throws Exception {
        Tenant t = q.newTenant("qc");
        q.setQuota(t.id(), "{\"topics\":2}");
        assertEquals(201, createTopic(t, "a", 1).statusCode());
        assertEquals(201, createTopic(t, "b", 1).statusCode());
        assertConflict(createTopic(t, "c", 1), "TOPIC_QUOTA_EXCEEDED", "tenant '" + t.id() + "' may have at most 2 topic(s) and has 2");
        assertEquals(404, q.client.get("/v1/tenants/" + t.id() + "/topics/c", t.adminToken()).statusCode());
        assertEquals(List.of("a", "b"), topicNames(t));
        // An existing name is still TOPIC_ALREADY_EXISTS, not a quota refusal.
        assertEquals("TOPIC_ALREADY_EXISTS", TestClient.json(createTopic(t, "a", 1)).get("code").asText());
        // Deleting one makes room.
        assertEquals(204, q.client.delete("/v1/tenants/" + t.id() + "/topics/a", t.adminToken()).statusCode());
        assertEquals(201, createTopic(t, "c", 1).statusCode());
        assertEquals(2, q.quota(t.id()).get("usage").get("topics").asLong());
    }

    @Test
    void partitionsPastThePartitionQuotaAreRefusedOnCreateAndOnIncrease() throws Exception {
        Tenant t = q.newTenant("qc");
        q.setQuota(t.id(), "{\"partitions\":6}");
        assertConflict(createTopic(t, "wide", 7), "PARTITION_QUOTA_EXCEEDED",
                "tenant '" + t.id() + "' may have at most 6 partition(s) over all its topics and has 0; this change needs 7 more");
        assertEquals(List.of(), topicNames(t));
        assertEquals(201, createTopic(t, "a", 4).statusCode());
        HttpResponse<String> grow = q.client.postJson("/v1/tenants/" + t.id() + "/topics/a/partitions", t.adminToken(),
                "{\"count\":7}");
        assertConflict(grow, "PARTITION_QUOTA_EXCEEDED", "tenant '" + t.id() + "' may have at most 6 partition(s)");
        assertEquals(4, TestClient.json(q.client.get("/v1/tenants/" + t.id() + "/topics/a", t.adminToken())).get("partitions").asInt());
        assertEquals(200, q.client.postJson("/v1/tenants/" + t.id() + "/topics/a/partitions", t.adminToken(), "{\"count\":6}")
                .statusCode());
        assertConflict(createTopic(t, "b", 1), "PARTITION_QUOTA_EXCEEDED", "tenant '" + t.id() + "' may have at most 6");
        JsonNode usage = q.quota(t.id()).get("usage");
        assertEquals(1, usage.get("topics").asLong());
        assertEquals(6, usage.get("partitions").asLong());
        // Lowering the quota below the use refuses growth but takes nothing away.
        q.setQuota(t.id(), "{\"partitions\":2}");
        assertEquals(6, TestClient.json(q.client.get("/v1/tenants/" + t.id() + "/topics/a", t.adminToken())).get("partitions").asInt());
        assertConflict(createTopic(t, "b", 1), "PARTITION_QUOTA_EXCEEDED", "tenant '" + t.id() + "' may have at most 2");
    }

    @Test
    void racingCreatesNeverExceedTheQuota() throws Exception {
        Tenant t = q.newTenant("qc");
        q.setQuota(t.id(), "{\"topics\":3}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> attempts = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String name = "race-" + i;
                attempts.add(pool.submit(() -> createTopic(t, name, 1)));
            }
            int created = 0;
            for (Future<HttpResponse<String>> a : attempts) {
                HttpResponse<String> response = a.get(30, TimeUnit.SECONDS);
                if (response.statusCode() == 201) {
                    created++;
                } else {
                    assertConflict(response, "TOPIC_QUOTA_EXCEEDED", "tenant '" + t.id() + "'");
                }
            }
            assertEquals(3, created);
            assertEquals(3, topicNames(t).size());
            assertEquals(3, q.quota(t.id()).get("usage").get("topics").asLong());
        } finally {
            pool.shutdownNow();
        }
    }
}
