package dev.tributary.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.api.v1.DescribeGroupRequest;
import dev.tributary.api.v1.FetchOffsetsRequest;
import dev.tributary.server.testing.TestClient;
import io.grpc.StatusRuntimeException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything of the two tenants and of the platform that a denied call could have changed, read
 * over the API by whoever may see it: the tenants and signing keys (platform administrator); per
 * tenant its record, topics with their config, partition count and every partition's log start and
 * high watermark, service accounts (with when their secret was last rotated), ACLs, quota (limits,
 * ETag, counted use), identity pools with their ETags, consumer groups as REST describes them and
 * as gRPC does (members' epochs and session deadlines, which any heartbeat would move, and each
 * committed offset's commit time), and its schema registry: subjects and versions (soft-deleted
 * ones too), schemas by id, referrers, the tenant's and each subject's compatibility level and mode,
 * probed under every subject name either tenant uses. Rates and open streams are measurements, not
 * state, and are left out.
 */
final class ObservableState {
    private static final String SR = "/schema-registry";

    private ObservableState() {}

    /** Key (what) to value (status and canonical body), sorted by key. */
    static Map<String, String> capture(DenialFixture f) throws Exception {
        Map<String, String> state = new TreeMap<>();
        String platform = f.platformAdmin;
        state.put("tenants", pages(f, "/v1/tenants", platform).toString());
        state.put("signing-keys", get(f, "/v1/signing-keys", platform));
        TreeSet<String> subjectNames = new TreeSet<>(List.of(DenialFixture.SUBJECT, DenialFixture.REFERRING_SUBJECT));
        for (String tenant : f.tenants()) {
            JsonNode subjects = TestClient.json(f.send("GET", SR + "/subjects?deleted=true", f.adminOf(tenant), null, null));
            subjects.forEach(s -> subjectNames.add(s.asText()));
        }
        for (String tenant : f.tenants()) {
            String t = "/v1/tenants/" + tenant;
            String admin = f.adminOf(tenant);
            state.put(tenant + " record", get(f, t, platform));
            ArrayNode topics = pages(f, t + "/topics", platform);
            state.put(tenant + " topics", topics.toString());
            for (JsonNode topic : topics) {
                state.put(tenant + " topic " + topic.get("name").asText(), getWithEtag(f, t + "/topics/" + topic.get("name").asText(), platform));
            }
            state.put(tenant + " service accounts", pages(f, t + "/service-accounts", platform).toString());
            state.put(tenant + " acls", pages(f, t + "/acls", platform).toString());
            state.put(tenant + " quota", quota(f, t + "/quota", platform));
            ArrayNode pools = pages(f, t + "/identity-pools", platform);
            state.put(tenant + " identity pools", pools.toString());
            for (JsonNode pool : pools) {
                state.put(tenant + " identity pool " + pool.get("name").asText(),
                        getWithEtag(f, t + "/identity-pools/" + pool.get("name").asText(), platform));
            }
            ArrayNode groups = pages(f, t + "/groups", platform);
            state.put(tenant + " groups", groups.toString());
            for (JsonNode group : groups) {
                String id = group.get("groupId").asText();
                state.put(tenant + " group " + id, get(f, t + "/groups/" + id, platform));
                state.put(tenant + " group " + id + " (gRPC)", grpcGroup(f, admin, id));
            }
            registry(f, tenant, admin, subjectNames, state);
        }
        return state;
    }

    private static void registry(DenialFixture f, String tenant, String admin, TreeSet<String> subjectNames, Map<String, String> state)
            throws Exception {
        String at = tenant + " registry ";
        state.put(at + "subjects", get(f, SR + "/subjects?deleted=true", admin));
        state.put(at + "config", get(f, SR + "/config", admin));
        state.put(at + "mode", get(f, SR + "/mode", admin));
        int maxId = 0;
        for (String subject : subjectNames) {
            String s = SR + "/subjects/" + encode(subject);
            HttpResponse<String> versions = f.send("GET", s + "/versions?deleted=true", admin, null, null);
            state.put(at + subject + " versions", versions.statusCode() + " " + canonical(versions.body()));
            if (versions.statusCode() == 200) {
                for (JsonNode v : TestClient.json(versions)) {
                    String version = s + "/versions/" + v.asInt();
                    HttpResponse<String> one = f.send("GET", version + "?deleted=true", admin, null, null);
                    state.put(at + subject + " version " + v.asInt(), one.statusCode() + " " + canonical(one.body()));
                    if (one.statusCode() == 200) {
                        maxId = Math.max(maxId, TestClient.json(one).get("id").asInt());
                    }
                    state.put(at + subject + " version " + v.asInt() + " referenced by", get(f, version + "/referencedby", admin));
                }
            }
            state.put(at + subject + " config", get(f, SR + "/config/" + encode(subject), admin));
            state.put(at + subject + " mode", get(f, SR + "/mode/" + encode(subject), admin));
        }
        // One id past the highest in use: a schema registered by a leaked call would get it.
        for (int id = 1; id <= Math.max(maxId, f.schemaIdA) + 1; id++) {
            state.put(at + "schema " + id, get(f, SR + "/schemas/ids/" + id, admin));
            state.put(at + "schema " + id + " versions", get(f, SR + "/schemas/ids/" + id + "/versions?deleted=true", admin));
        }
    }

    private static String grpcGroup(DenialFixture f, String admin, String group) {
        try {
            String described = "describe " + f.groups(admin).describeGroup(DescribeGroupRequest.newBuilder().setGroupId(group).build())
                    + "offsets " + f.groups(admin).fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId(group).build());
            return described.replace('\n', ' ');
        } catch (StatusRuntimeException e) {
            return e.getStatus().toString();
        }
    }

    /** Every item of a paged list, following nextPageToken. */
    private static ArrayNode pages(DenialFixture f, String path, String token) throws Exception {
        ArrayNode all = TestClient.JSON.createArrayNode();
        String pageToken = null;
        do {
            String page = path + "?pageSize=100" + (pageToken == null ? "" : "&pageToken=" + encode(pageToken));
            HttpResponse<String> response = f.send("GET", page, token, null, null);
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + page + ": " + response.statusCode() + " " + response.body());
            }
            JsonNode body = TestClient.json(response);
            body.get("items").forEach(all::add);
            pageToken = body.hasNonNull("nextPageToken") ? body.get("nextPageToken").asText() : null;
        } while (pageToken != null);
        return all;
    }

    private static String get(DenialFixture f, String path, String token) throws Exception {
        HttpResponse<String> response = f.send("GET", path, token, null, null);
        return response.statusCode() + " " + canonical(response.body());
    }

    private static String getWithEtag(DenialFixture f, String path, String token) throws Exception {
        HttpResponse<String> response = f.send("GET", path, token, null, null);
        return response.statusCode() + " etag " + response.headers().firstValue("etag").orElse("-") + " " + canonical(response.body());
    }

    /** Limits, ETag and the counted use; the measured rates and open streams are not state. */
    private static String quota(DenialFixture f, String path, String token) throws Exception {
        HttpResponse<String> response = f.send("GET", path, token, null, null);
        if (response.statusCode() != 200) {
            return response.statusCode() + " " + response.body();
        }
        ObjectNode body = (ObjectNode) TestClient.json(response);
        ((ObjectNode) body.get("usage")).remove(List.of("produceBytesPerSecond", "fetchBytesPerSecond", "requestsPerSecond", "connections"));
        return "200 etag " + response.headers().firstValue("etag").orElse("-") + " " + body;
    }

    private static String canonical(String body) {
        try {
            return TestClient.JSON.readTree(body).toString();
        } catch (Exception notJson) {
            return body;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The keys whose values differ (or exist on one side only), each with both values. */
    static List<String> differences(Map<String, String> before, Map<String, String> after) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            String b = before.get(key);
            String a = after.get(key);
            if (b == null || !b.equals(a)) {
                out.add(key + "\n    before: " + b + "\n    after:  " + a);
            }
        }
        return out;
    }
}
