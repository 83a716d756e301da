package dev.tributary.server.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topics REST API: lifecycle, ETag / If-Match, precise errors, and who may do what. */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class TopicApiTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private TestClient client;
    private String admin;

    @BeforeEach
    void connect() throws Exception {
        client = new TestClient(root.toURI(), config.dataDir().resolve("tls/ca.pem"));
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(config.dataDir());
        admin = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
    }

    private String newTenant() throws Exception {
        String id = "tp-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(201, client.postJson("/v1/tenants", admin, "{\"id\":\"" + id + "\"}").statusCode());
        return id;
    }

    private String tokenFor(String tenant, String role) throws Exception {
        JsonNode account = TestClient.json(client.postJson("/v1/tenants/" + tenant + "/service-accounts", admin,
                "{\"name\":\"" + role + "\",\"role\":\"" + role + "\"}"));
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private HttpResponse<String> patch(String path, String token, String ifMatch, String json) throws Exception {
        HttpRequest.Builder request = client.request(path, token).header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return client.send(request);
    }

    private static void assertCode(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
        assertEquals(code, TestClient.json(response).get("code").asText(), response.body());
    }

    @Test
    void tenantAdminManagesTopicsMembersRead() throws Exception {
        String t = newTenant();
        String tenantAdmin = tokenFor(t, "tenant-admin");
        String member = tokenFor(t, "member");
        // What a member may do is what ACLs grant: here describing every topic.
        client.grantAcl(tenantAdmin, t, TestClient.principalOf(member), "describe", "topic", "*");
        String topics = "/v1/tenants/" + t + "/topics";

        HttpResponse<String> created = client.postJson(topics, tenantAdmin,
                "{\"name\":\"orders\",\"partitions\":3,\"config\":{\"retention.ms\":\"60000\"}}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("3", TestClient.json(created).get("partitions").asText());
        assertCode(client.postJson(topics, tenantAdmin, "{\"name\":\"orders\"}"), 409, "TOPIC_ALREADY_EXISTS");
        assertCode(client.postJson(topics, tenantAdmin, "{\"name\":\"bad name\"}"), 400, "INVALID_TOPIC_NAME");
        assertCode(client.postJson(topics, tenantAdmin, "{\"name\":\"x\",\"partitions\":0}"), 400, "INVALID_PARTITIONS");
        assertCode(client.postJson(topics, tenantAdmin, "{\"name\":\"x\",\"config\":{\"nope\":\"1\"}}"), 400, "INVALID_CONFIG");

        HttpResponse<String> got = client.get(topics + "/orders", member);
        assertEquals(200, got.statusCode(), got.body());
        JsonNode topic = TestClient.json(got);
        assertEquals(3, topic.get("partitionOffsets").size());
        assertEquals(0, topic.get("partitionOffsets").get(2).get("highWatermark").asLong());
        assertEquals("60000", topic.get("config").get("retention.ms").asText());
        String etag = got.headers().firstValue("ETag").orElseThrow();

        // Optimistic concurrency: a change with the current ETag applies, a stale one is refused.
        HttpResponse<String> changed = patch(topics + "/orders", tenantAdmin, etag, "{\"set\":{\"retention.ms\":\"120000\"}}");
        assertEquals(200, changed.statusCode(), changed.body());
        String newEtag = changed.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(etag, newEtag);
        assertCode(patch(topics + "/orders", tenantAdmin, etag, "{\"reset\":[\"retention.ms\"]}"), 412, "PRECONDITION_FAILED");
        assertEquals("120000", TestClient.json(client.get(topics + "/orders", member)).get("config").get("retention.ms").asText());
        assertEquals(200, patch(topics + "/orders", tenantAdmin, null, "{\"reset\":[\"retention.ms\"]}").statusCode());

        assertCode(client.postJson(topics + "/orders/partitions", tenantAdmin, "{\"count\":2}"), 400, "INVALID_PARTITIONS");
        assertEquals(200, client.postJson(topics + "/orders/partitions", tenantAdmin, "{\"count\":5}").statusCode());

        // A member allowed to describe reads but does not change.
        assertCode(client.postJson(topics, member, "{\"name\":\"mine\"}"), 403, "FORBIDDEN");
        assertCode(patch(topics + "/orders", member, null, "{\"set\":{\"retention.ms\":\"1\"}}"), 403, "FORBIDDEN");
        assertCode(client.postJson(topics + "/orders/partitions", member, "{\"count\":9}"), 403, "FORBIDDEN");
        assertCode(client.delete(topics + "/orders", member), 403, "FORBIDDEN");
        assertEquals(5, TestClient.json(client.get(topics + "/orders", member)).get("partitions").asInt());

        // Another tenant's principals: 403 whether the topic exists or not, and nothing changes.
        String other = newTenant();
        String otherAdmin = tokenFor(other, "tenant-admin");
        assertCode(client.get(topics + "/orders", otherAdmin), 403, "FORBIDDEN");
        assertCode(client.get(topics + "/no-such-topic", otherAdmin), 403, "FORBIDDEN");
        assertCode(client.get(topics, otherAdmin), 403, "FORBIDDEN");
        assertCode(client.delete(topics + "/orders", otherAdmin), 403, "FORBIDDEN");
        assertCode(client.postJson(topics, otherAdmin, "{\"name\":\"planted\"}"), 403, "FORBIDDEN");
        assertEquals(1, TestClient.json(client.get(topics, admin)).get("items").size());
        assertEquals(0, TestClient.json(client.get("/v1/tenants/" + other + "/topics", otherAdmin)).get("items").size());

        assertEquals(204, client.delete(topics + "/orders", tenantAdmin).statusCode());
        assertCode(client.get(topics + "/orders", member), 404, "UNKNOWN_TOPIC");
        assertCode(client.delete(topics + "/orders", tenantAdmin), 404, "UNKNOWN_TOPIC");
        assertCode(client.postJson("/v1/tenants/no-such-tenant/topics", admin, "{\"name\":\"a\"}"), 404, "TENANT_NOT_FOUND");
        assertEquals(401, client.get(topics, null).statusCode());
    }

    @Test
    void topicListsArePaged() throws Exception {
        String t = newTenant();
        for (String name : new String[] {"a.one", "B_two", "c-three"}) {
            assertEquals(201, client.postJson("/v1/tenants/" + t + "/topics", admin, "{\"name\":\"" + name + "\"}").statusCode());
        }
        Set<String> seen = new HashSet<>();
        String token = "";
        int pages = 0;
        do {
            JsonNode page = TestClient.json(client.get("/v1/tenants/" + t + "/topics?pageSize=2&pageToken=" + token, admin));
            page.get("items").forEach(item -> assertTrue(seen.add(item.get("name").asText())));
            token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
            pages++;
        } while (token != null);
        assertEquals(Set.of("a.one", "B_two", "c-three"), seen);
        assertEquals(2, pages);
        assertCode(client.get("/v1/tenants/" + t + "/topics?pageToken=!!", admin), 400, "INVALID_PAGE_TOKEN");
    }
}
