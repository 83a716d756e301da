package dev.tributary.server.security;

import static dev.tributary.server.security.DenialFixture.EMPTY_GROUP;
import static dev.tributary.server.security.DenialFixture.LINE_V2;
import static dev.tributary.server.security.DenialFixture.LIVE_GROUP;
import static dev.tributary.server.security.DenialFixture.ORDER;
import static dev.tributary.server.security.DenialFixture.ORDER_BREAKING;
import static dev.tributary.server.security.DenialFixture.POOL;
import static dev.tributary.server.security.DenialFixture.REFERRING_SUBJECT;
import static dev.tributary.server.security.DenialFixture.SUBJECT;
import static dev.tributary.server.security.DenialFixture.TOPIC;
import static dev.tributary.server.security.DenialFixture.V1;
import static dev.tributary.server.security.DenialFixture.schemaBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.ClusterServiceGrpc;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.DeleteGroupRequest;
import dev.tributary.api.v1.DescribeGroupRequest;
import dev.tributary.api.v1.FetchOffsetsRequest;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.GetClusterInfoRequest;
import dev.tributary.api.v1.GetClusterInfoResponse;
import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.LeaveGroupRequest;
import dev.tributary.api.v1.ListGroupsRequest;
import dev.tributary.api.v1.ListGroupsResponse;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.MetadataResponse;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.ResetOffsetsRequest;
import dev.tributary.api.v1.ResetStrategy;
import dev.tributary.api.v1.SubscribeCredit;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeStart;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.security.AuthenticationGate;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.quarkus.grpc.runtime.GrpcServerRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The denial matrix of issue 8: every REST operation and every gRPC method, called by every kind
 * of caller that must not get through, over the real TLS listener with real tokens, and nothing of
 * either tenant or of the platform changes.
 *
 * <p>Complete by construction: the REST rows are checked against the OpenAPI document the server
 * serves (every operation under /v1 and /schema-registry needs a row, and every row an operation;
 * only the open paths of {@link AuthenticationGate#OPEN_PATHS} are exempt), the gRPC rows against
 * the generated service descriptors of {@code dev.tributary.api.v1} and the services the server
 * actually serves. A new endpoint or RPC without a row fails the build.
 *
 * <p>Columns: no token (401 / UNAUTHENTICATED), tenant A's administrator's token expired
 * (TOKEN_EXPIRED) or with a tampered signature (INVALID_TOKEN), tenant B's administrator (REST
 * paths naming tenant A: 403 FORBIDDEN; gRPC and the schema registry take the tenant from the
 * token, so B naming A's topics, groups, members, subjects and ids reaches only B's own namespace:
 * not-found answers, never A's data), tenant A's member without any ACL (403 FORBIDDEN,
 * PERMISSION_DENIED, or the registry's 40301), and for platform-only operations tenant A's
 * administrator (403). A few cells are allowed by design (cluster facts, the registry's root, types
 * and tenant-wide settings, and listings that are filtered rather than denied, asserted empty):
 * each says why. Read-only rows also run once with a caller that may, to show that the row names
 * real objects (its denials are not "not found" in disguise). Finally the observable state of
 * both tenants and the platform ({@link ObservableState}) must be what it was before the matrix.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DenialMatrixTest {
    static final long DEADLINE_SECONDS = 10;
    static final String SR = "/schema-registry";
    /** The only operations the matrix leaves out: open by design (docs/security.md, "What is open, and why"). */
    static final Set<String> PUBLIC_PATHS = Set.of("/oauth2/token", "/.well-known/openid-configuration", "/oauth2/jwks",
            "/q/health/live", "/q/health/ready");
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of(AuthenticationGate.GRPC_ERROR_CODE_HEADER,
            Metadata.ASCII_STRING_MARSHALLER);

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private static DenialFixture fixture;
    private static Map<String, String> stateBefore;
    private static final Set<String> restRowsTried = ConcurrentHashMap.newKeySet();
    private static final Set<String> grpcRowsTried = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger restCells = new AtomicInteger();
    private static final AtomicInteger grpcCells = new AtomicInteger();

    private DenialFixture fixture() throws Exception {
        if (fixture == null) {
            TestClient client = TestClient.forServer(root, config.dataDir());
            fixture = new DenialFixture(client, client.grpcChannel(), issuer, client.adminToken(config.dataDir()));
            stateBefore = ObservableState.capture(fixture);
        }
        return fixture;
    }

    @AfterAll
    static void closeChannel() throws InterruptedException {
        if (fixture != null) {
            fixture.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    // ====================================================================== expectations

    @FunctionalInterface
    interface HttpCheck {
        void check(HttpResponse<String> response, DenialFixture f) throws Exception;
    }

    /** What a cell expects; {@code byDesign} is the reason when a caller that is neither denied nor scoped away is allowed. */
    record HttpExpect(String what, String byDesign, HttpCheck check) {}

    static HttpExpect problem(int status, String code) {
        return new HttpExpect(status + " " + code, null, (r, f) -> {
            assertEquals(status, r.statusCode(), r.body());
            assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""), r.body());
            assertEquals(code, TestClient.json(r).get("code").asText(), r.body());
        });
    }

    static final HttpExpect FORBIDDEN = problem(403, "FORBIDDEN");

    /** The registry's Confluent-shaped error. */
    static HttpExpect registryError(int status, int errorCode) {
        return new HttpExpect(status + " error_code " + errorCode, null, (r, f) -> {
            assertEquals(status, r.statusCode(), r.body());
            assertEquals(errorCode, TestClient.json(r).get("error_code").asInt(), r.body());
        });
    }

    static final HttpExpect REGISTRY_FORBIDDEN = registryError(403, 40301);

    static HttpExpect ok(String body) {
        return new HttpExpect("200 " + body, null, (r, f) -> {
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(TestClient.JSON.readTree(body), TestClient.json(r), r.body());
        });
    }

    /** Allowed by design (not a denial), with the reason; the check says what the caller gets. */
    static HttpExpect byDesign(String reason, HttpCheck check) {
        return new HttpExpect("allowed: " + reason, reason, (r, f) -> {
            assertEquals(200, r.statusCode(), r.body());
            check.check(r, f);
        });
    }

    /** An answer from the caller's own namespace (the registry's tenant is the token's). */
    static HttpExpect own(String what, HttpExpect answer, HttpCheck then) {
        return new HttpExpect(what + " (" + answer.what() + ")", null, (r, f) -> {
            answer.check().check(r, f);
            then.check(r, f);
        });
    }

    static HttpExpect own(String what, HttpExpect answer) {
        return own(what, answer, (r, f) -> {});
    }

    static final HttpCheck EMPTY_ITEMS = (r, f) -> assertEquals(0, TestClient.json(r).get("items").size(), r.body());

    @FunctionalInterface
    interface GrpcCheck {
        void check(GrpcOutcome outcome, DenialFixture f) throws Exception;
    }

    record GrpcExpect(String what, String byDesign, GrpcCheck check) {
        /** This, then {@code more} (further calls, e.g. the filtered variant of a call). */
        GrpcExpect and(String also, GrpcCheck more) {
            return new GrpcExpect(what + "; " + also, byDesign, (o, f) -> {
                check.check(o, f);
                more.check(o, f);
            });
        }
    }

    static GrpcExpect refused(Status.Code status, String code) {
        return new GrpcExpect(status + " " + code, null, (o, f) -> {
            assertEquals(status, o.status().getCode(), o.toString());
            assertEquals(code, o.code(), o.toString());
        });
    }

    static final GrpcExpect PERMISSION_DENIED = refused(Status.Code.PERMISSION_DENIED, "FORBIDDEN");

    static GrpcExpect notFound(String code) {
        return refused(Status.Code.NOT_FOUND, code);
    }

    static GrpcExpect grpcByDesign(String reason, GrpcCheck check) {
        return new GrpcExpect("allowed: " + reason, reason, (o, f) -> {
            assertTrue(o.status().isOk(), o.toString());
            check.check(o, f);
        });
    }

    // ====================================================================== the REST table

    /**
     * One operation: how to call it (a path naming real objects of tenant A, a plausible body),
     * what tenant B's administrator and tenant A's member get, whether it is for platform
     * administrators only, and the control (a caller that may, for read-only operations).
     */
    record RestRow(String method, String template, Function<DenialFixture, String> path, String contentType,
            Function<DenialFixture, String> body, HttpExpect otherTenant, HttpExpect member, boolean platformOnly,
            HttpExpect control) {
        String key() {
            return method + " " + template;
        }
    }

    static final Map<String, RestRow> REST = new LinkedHashMap<>();

    private static void rest(RestRow row) {
        if (REST.put(row.key(), row) != null) {
            throw new IllegalStateException("two rows for " + row.key());
        }
    }

    /** A platform administrators' operation: everyone else, tenant administrators included, 403. */
    private static void platform(String method, String template, Function<DenialFixture, String> path, String body) {
        rest(new RestRow(method, template, path, "application/json", body == null ? null : f -> body, FORBIDDEN, FORBIDDEN, true,
                method.equals("GET") ? ok200() : null));
    }

    /** An operation on tenant A under /v1/tenants/{tenant}: another tenant's principal 403. */
    private static void tenant(String method, String template, Function<DenialFixture, String> path, Function<DenialFixture, String> body,
            HttpExpect member) {
        rest(new RestRow(method, template, path, "application/json", body, FORBIDDEN, member, false,
                method.equals("GET") ? ok200() : null));
    }

    private static void registry(String method, String template, Function<DenialFixture, String> path, String body, HttpExpect otherTenant,
            HttpExpect member, HttpExpect control) {
        rest(new RestRow(method, template, path, V1, body == null ? null : f -> body, otherTenant, member, false, control));
    }

    static HttpExpect ok200() {
        return new HttpExpect("200", null, (r, f) -> assertEquals(200, r.statusCode(), r.body()));
    }

    static HttpExpect ok200(HttpCheck then) {
        return new HttpExpect("200", null, (r, f) -> {
            assertEquals(200, r.statusCode(), r.body());
            then.check(r, f);
        });
    }

    static final String ANY_PRINCIPAL_CLUSTER = "cluster facts (version, storage backend, node): no tenant's data, any authenticated principal";
    static final String TENANT_WIDE_SETTINGS = "the tenant-wide compatibility level, mode and schema types are readable by any principal of the tenant";
    static final String SERVER_HEALTH = "the server's own health (serving or not): no tenant's data, any authenticated principal";
    static final String FILTERED = "a listing shows only what the caller may describe or read: filtered, not denied, and empty without ACLs";

    static {
        // ------------------------------------------------------------ cluster, signing keys, tenants
        HttpExpect cluster = byDesign(ANY_PRINCIPAL_CLUSTER, (r, f) -> {
            assertTrue(TestClient.json(r).hasNonNull("nodeId"), r.body());
            assertFalse(r.body().contains(f.tenantA), r.body());
        });
        rest(new RestRow("GET", "/v1/cluster", f -> "/v1/cluster", null, null, cluster, cluster, false, ok200()));
        platform("GET", "/v1/signing-keys", f -> "/v1/signing-keys", null);
        platform("POST", "/v1/signing-keys/rotate", f -> "/v1/signing-keys/rotate", null);
        platform("GET", "/v1/tenants", f -> "/v1/tenants", null);
        platform("POST", "/v1/tenants", f -> "/v1/tenants", "{\"id\":\"deny-planted\"}");
        platform("GET", "/v1/tenants/{tenant}", f -> f.a(""), null);
        platform("DELETE", "/v1/tenants/{tenant}", f -> f.a(""), null);

        // ------------------------------------------------------------ ACLs: tenant administrators only
        tenant("GET", "/v1/tenants/{tenant}/acls", f -> f.a("/acls"), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/acls", f -> f.a("/acls"), f -> "{\"principal\":\"" + f.memberAId
                + "\",\"operation\":\"all\",\"resourceType\":\"topic\",\"patternType\":\"literal\",\"resourceName\":\"*\","
                + "\"permission\":\"allow\"}", FORBIDDEN);
        tenant("GET", "/v1/tenants/{tenant}/acls/{id}", f -> f.a("/acls/" + f.aclA), null, FORBIDDEN);
        tenant("DELETE", "/v1/tenants/{tenant}/acls/{id}", f -> f.a("/acls/" + f.aclA), null, FORBIDDEN);

        // ------------------------------------------------------------ consumer groups: ACLs on groups
        tenant("GET", "/v1/tenants/{tenant}/groups", f -> f.a("/groups"), null, byDesign(FILTERED, EMPTY_ITEMS));
        tenant("GET", "/v1/tenants/{tenant}/groups/{group}", f -> f.a("/groups/" + LIVE_GROUP), null, FORBIDDEN);
        tenant("DELETE", "/v1/tenants/{tenant}/groups/{group}", f -> f.a("/groups/" + EMPTY_GROUP), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/groups/{group}/offsets:reset", f -> f.a("/groups/" + EMPTY_GROUP + "/offsets:reset"),
                f -> "{\"to\":\"latest\"}", FORBIDDEN);

        // ------------------------------------------------------------ identity pools: tenant administrators only
        tenant("GET", "/v1/tenants/{tenant}/identity-pools", f -> f.a("/identity-pools"), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/identity-pools", f -> f.a("/identity-pools"),
                f -> "{\"name\":\"planted\",\"issuer\":\"https://planted.example/realms/x\",\"audience\":\"tributary\"}", FORBIDDEN);
        tenant("GET", "/v1/tenants/{tenant}/identity-pools/{name}", f -> f.a("/identity-pools/" + POOL), null, FORBIDDEN);
        tenant("PUT", "/v1/tenants/{tenant}/identity-pools/{name}", f -> f.a("/identity-pools/" + POOL),
                f -> "{\"name\":\"" + POOL + "\",\"issuer\":\"https://evil.example/realms/corp\",\"audience\":\"tributary\"}", FORBIDDEN);
        tenant("DELETE", "/v1/tenants/{tenant}/identity-pools/{name}", f -> f.a("/identity-pools/" + POOL), null, FORBIDDEN);

        // ------------------------------------------------------------ quota: set by platform administrators, read by the tenant's
        platform("PUT", "/v1/tenants/{tenant}/quota", f -> f.a("/quota"), "{\"topics\":1000,\"partitions\":10000}");
        tenant("GET", "/v1/tenants/{tenant}/quota", f -> f.a("/quota"), null, FORBIDDEN);
        platform("DELETE", "/v1/tenants/{tenant}/quota", f -> f.a("/quota"), null);

        // ------------------------------------------------------------ service accounts: tenant administrators only
        tenant("GET", "/v1/tenants/{tenant}/service-accounts", f -> f.a("/service-accounts"), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/service-accounts", f -> f.a("/service-accounts"),
                f -> "{\"name\":\"planted\",\"role\":\"tenant-admin\"}", FORBIDDEN);
        tenant("GET", "/v1/tenants/{tenant}/service-accounts/{id}", f -> f.a("/service-accounts/" + f.accountA), null, FORBIDDEN);
        tenant("DELETE", "/v1/tenants/{tenant}/service-accounts/{id}", f -> f.a("/service-accounts/" + f.accountA), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/service-accounts/{id}/rotate-secret",
                f -> f.a("/service-accounts/" + f.accountA + "/rotate-secret"), null, FORBIDDEN);

        // ------------------------------------------------------------ topics: ACLs on topics
        tenant("GET", "/v1/tenants/{tenant}/topics", f -> f.a("/topics"), null, byDesign(FILTERED, EMPTY_ITEMS));
        tenant("POST", "/v1/tenants/{tenant}/topics", f -> f.a("/topics"), f -> "{\"name\":\"planted\",\"partitions\":1,\"config\":{}}",
                FORBIDDEN);
        tenant("GET", "/v1/tenants/{tenant}/topics/{name}", f -> f.a("/topics/" + TOPIC), null, FORBIDDEN);
        tenant("PATCH", "/v1/tenants/{tenant}/topics/{name}", f -> f.a("/topics/" + TOPIC), f -> "{\"set\":{\"retention.ms\":\"1000\"}}",
                FORBIDDEN);
        tenant("DELETE", "/v1/tenants/{tenant}/topics/{name}", f -> f.a("/topics/" + TOPIC), null, FORBIDDEN);
        tenant("POST", "/v1/tenants/{tenant}/topics/{name}/partitions", f -> f.a("/topics/" + TOPIC + "/partitions"),
                f -> "{\"count\":4}", FORBIDDEN);

        // ------------------------------------------------------------ schema registry: the tenant is the token's
        HttpExpect notSubject = own("B has no such subject", registryError(404, 40401));
        HttpExpect notSchema = own("B has no such schema id", registryError(404, 40403));
        HttpExpect types = byDesign(TENANT_WIDE_SETTINGS, (r, f) -> assertEquals("[\"AVRO\"]", TestClient.json(r).toString()));
        HttpExpect registryRoot = byDesign("the registry's root answers {} to any principal of a tenant", (r, f) -> assertEquals("{}", r.body().trim()));
        HttpExpect incompatible = ok200((r, f) -> assertFalse(TestClient.json(r).get("is_compatible").asBoolean(), r.body()));
        registry("GET", SR, f -> SR, null, registryRoot, registryRoot, ok200());
        registry("GET", SR + "/schemas/types", f -> SR + "/schemas/types", null, types, types, ok200());
        registry("GET", SR + "/subjects", f -> SR + "/subjects?deleted=true", null, own("B lists its own subjects: none", ok("[]")),
                byDesign(FILTERED, (r, f) -> assertEquals("[]", TestClient.json(r).toString())),
                ok200((r, f) -> assertEquals("[\"" + REFERRING_SUBJECT + "\",\"" + SUBJECT + "\"]", TestClient.json(r).toString())));
        registry("GET", SR + "/subjects/{subject}/versions", f -> SR + "/subjects/" + SUBJECT + "/versions", null, notSubject,
                REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/subjects/{subject}/versions/{version}", f -> SR + "/subjects/" + SUBJECT + "/versions/1", null, notSubject,
                REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/subjects/{subject}/versions/{version}/schema", f -> SR + "/subjects/" + SUBJECT + "/versions/1/schema", null,
                notSubject, REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/subjects/{subject}/versions/{version}/referencedby",
                f -> SR + "/subjects/" + SUBJECT + "/versions/1/referencedby", null, notSubject, REGISTRY_FORBIDDEN,
                ok200((r, f) -> assertEquals(1, TestClient.json(r).size(), r.body())));
        // A registration referring to A's subject: in B's namespace the reference does not resolve.
        registry("POST", SR + "/subjects/{subject}/versions", f -> SR + "/subjects/" + REFERRING_SUBJECT + "/versions",
                schemaBody(LINE_V2, true), own("A's subject is no reference in B", registryError(422, 42201)), REGISTRY_FORBIDDEN, null);
        registry("POST", SR + "/subjects/{subject}", f -> SR + "/subjects/" + SUBJECT, schemaBody(ORDER, false), notSubject,
                REGISTRY_FORBIDDEN, ok200((r, f) -> assertEquals(f.schemaIdA, TestClient.json(r).get("id").asInt(), r.body())));
        registry("DELETE", SR + "/subjects/{subject}", f -> SR + "/subjects/" + REFERRING_SUBJECT, null, notSubject, REGISTRY_FORBIDDEN, null);
        registry("DELETE", SR + "/subjects/{subject}/versions/{version}", f -> SR + "/subjects/" + REFERRING_SUBJECT + "/versions/1", null,
                notSubject, REGISTRY_FORBIDDEN, null);
        registry("GET", SR + "/schemas/ids/{id}", f -> SR + "/schemas/ids/" + f.schemaIdA, null, notSchema, REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/schemas/ids/{id}/schema", f -> SR + "/schemas/ids/" + f.schemaIdA + "/schema", null, notSchema,
                REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/schemas/ids/{id}/subjects", f -> SR + "/schemas/ids/" + f.schemaIdA + "/subjects", null, notSchema,
                REGISTRY_FORBIDDEN, ok200());
        registry("GET", SR + "/schemas/ids/{id}/versions", f -> SR + "/schemas/ids/" + f.schemaIdA + "/versions", null, notSchema,
                REGISTRY_FORBIDDEN, ok200());
        // Compatibility against A's version 1 (the control: incompatible); in B there is no such version,
        // and against "whatever the subject has" B has nothing, so anything is compatible.
        registry("POST", SR + "/compatibility/subjects/{subject}/versions/{version}",
                f -> SR + "/compatibility/subjects/" + SUBJECT + "/versions/1", schemaBody(ORDER_BREAKING, false), notSubject,
                REGISTRY_FORBIDDEN, incompatible);
        registry("POST", SR + "/compatibility/subjects/{subject}/versions", f -> SR + "/compatibility/subjects/" + SUBJECT + "/versions",
                schemaBody(ORDER_BREAKING, false), own("B's subject has no versions to be incompatible with", ok("{\"is_compatible\":true}")),
                REGISTRY_FORBIDDEN, incompatible);
        // Tenant-wide level and mode: A has FULL and READONLY, B the defaults (BACKWARD, READWRITE).
        // B's changes name no tenant; they set B's own to what it already is, so a leak into A would show.
        registry("GET", SR + "/config", f -> SR + "/config", null, own("B's own level", ok("{\"compatibilityLevel\":\"BACKWARD\"}")),
                byDesign(TENANT_WIDE_SETTINGS, (r, f) -> assertEquals("FULL", TestClient.json(r).get("compatibilityLevel").asText())),
                ok200());
        registry("PUT", SR + "/config", f -> SR + "/config", "{\"compatibility\":\"BACKWARD\"}",
                own("B's own level, to the value it has", ok("{\"compatibility\":\"BACKWARD\"}")), REGISTRY_FORBIDDEN, null);
        registry("DELETE", SR + "/config", f -> SR + "/config", null,
                own("B's own level, already the default", ok("{\"compatibilityLevel\":\"BACKWARD\"}")), REGISTRY_FORBIDDEN, null);
        registry("GET", SR + "/mode", f -> SR + "/mode", null, own("B's own mode", ok("{\"mode\":\"READWRITE\"}")),
                byDesign(TENANT_WIDE_SETTINGS, (r, f) -> assertEquals("READONLY", TestClient.json(r).get("mode").asText())), ok200());
        registry("PUT", SR + "/mode", f -> SR + "/mode", "{\"mode\":\"READWRITE\"}",
                own("B's own mode, to the value it has", ok("{\"mode\":\"READWRITE\"}")), REGISTRY_FORBIDDEN, null);
        // A subject's own level and mode: B has none under A's subject's name. Setting one lands on
        // B's own subject of that name (A's is read back unchanged), and B removes it again.
        registry("GET", SR + "/config/{subject}", f -> SR + "/config/" + SUBJECT, null,
                own("B's subject has no level of its own", registryError(404, 40408)), REGISTRY_FORBIDDEN, ok200());
        registry("PUT", SR + "/config/{subject}", f -> SR + "/config/" + SUBJECT, "{\"compatibility\":\"NONE\"}",
                own("lands on B's own subject, then removed by B", ok("{\"compatibility\":\"NONE\"}"), (r, f) -> {
                    ok("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}").check().check(
                            f.send("GET", SR + "/config/" + SUBJECT, f.adminA, null, null), f); // A's own, unchanged
                    ok("{\"compatibilityLevel\":\"NONE\"}").check().check(f.send("DELETE", SR + "/config/" + SUBJECT, f.adminB, null, null), f);
                }), REGISTRY_FORBIDDEN, null);
        registry("DELETE", SR + "/config/{subject}", f -> SR + "/config/" + SUBJECT, null, notSubject, REGISTRY_FORBIDDEN, null);
        registry("GET", SR + "/mode/{subject}", f -> SR + "/mode/" + SUBJECT, null,
                own("B's subject has no mode of its own", registryError(404, 40409)), REGISTRY_FORBIDDEN, ok200());
        registry("PUT", SR + "/mode/{subject}", f -> SR + "/mode/" + SUBJECT, "{\"mode\":\"READONLY\"}",
                own("lands on B's own subject, then removed by B", ok("{\"mode\":\"READONLY\"}"), (r, f) -> {
                    ok("{\"mode\":\"READWRITE\"}").check().check(f.send("GET", SR + "/mode/" + SUBJECT, f.adminA, null, null), f);
                    ok("{\"mode\":\"READONLY\"}").check().check(f.send("DELETE", SR + "/mode/" + SUBJECT, f.adminB, null, null), f);
                }), REGISTRY_FORBIDDEN, null);
        registry("DELETE", SR + "/mode/{subject}", f -> SR + "/mode/" + SUBJECT, null, notSubject, REGISTRY_FORBIDDEN, null);
    }

    static Stream<String> restRows() {
        return REST.keySet().stream();
    }

    // ====================================================================== the gRPC table

    /** One method: the request (naming A's topic, groups, member), and what B's administrator and A's member get. */
    record GrpcRow(MethodDescriptor<?, ?> method, Function<DenialFixture, Object> request, GrpcExpect otherTenant, GrpcExpect member) {}

    static final Map<String, GrpcRow> GRPC = new LinkedHashMap<>();

    private static void grpc(MethodDescriptor<?, ?> method, Function<DenialFixture, Object> request, GrpcExpect otherTenant,
            GrpcExpect member) {
        if (GRPC.put(method.getFullMethodName(), new GrpcRow(method, request, otherTenant, member)) != null) {
            throw new IllegalStateException("two rows for " + method.getFullMethodName());
        }
    }

    /** Metadata without names, as {@code token}: what the caller may see of the topics. */
    private static int metadataListing(DenialFixture f, String token) throws Exception {
        GrpcOutcome all = invoke(f.channel, FetchServiceGrpc.getMetadataMethod(), MetadataRequest.getDefaultInstance(), token);
        assertTrue(all.status().isOk(), all.toString());
        return ((MetadataResponse) all.message()).getTopicsCount();
    }

    static {
        GrpcExpect cluster = grpcByDesign(ANY_PRINCIPAL_CLUSTER,
                (o, f) -> assertFalse(((GetClusterInfoResponse) o.message()).getNodeId().isEmpty(), o.toString()));
        grpc(ClusterServiceGrpc.getGetClusterInfoMethod(), f -> GetClusterInfoRequest.getDefaultInstance(), cluster, cluster);

        GrpcExpect noTopic = notFound("UNKNOWN_TOPIC");
        grpc(ProduceServiceGrpc.getProduceMethod(), f -> ProduceRequest.newBuilder().setTopic(TOPIC).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(0).addBatches(ByteString.copyFrom(RecordBatch.builder()
                        .append(System.currentTimeMillis(), null, "planted".getBytes(StandardCharsets.UTF_8)).build()))).build(),
                noTopic, PERMISSION_DENIED);
        grpc(FetchServiceGrpc.getFetchMethod(), f -> FetchRequest.newBuilder().setTopic(TOPIC)
                .addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)).build(), noTopic, PERMISSION_DENIED);
        grpc(FetchServiceGrpc.getListOffsetsMethod(), f -> ListOffsetsRequest.newBuilder().setTopic(TOPIC)
                .addPartitions(PartitionOffsetQuery.newBuilder().setPartition(0).setSpec(OffsetSpec.OFFSET_SPEC_LATEST)).build(),
                noTopic, PERMISSION_DENIED);
        grpc(FetchServiceGrpc.getMetadataMethod(), f -> MetadataRequest.newBuilder().addTopics(TOPIC).build(),
                noTopic.and("without names B lists its own topics: none", (o, f) -> assertEquals(0, metadataListing(f, f.adminB))),
                PERMISSION_DENIED.and("without names: " + FILTERED, (o, f) -> assertEquals(0, metadataListing(f, f.memberA))));
        grpc(FetchServiceGrpc.getSubscribeMethod(), f -> SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic(TOPIC)
                .setPartition(0).setOffset(0).setCredit(SubscribeCredit.newBuilder().setBatches(100).setBytes(1 << 20))).build(),
                noTopic, PERMISSION_DENIED);

        // A's live member, by id and epoch: in B's namespace there is no such group or member.
        GrpcExpect noMember = refused(Status.Code.FAILED_PRECONDITION, "UNKNOWN_MEMBER_ID");
        GrpcExpect noGroup = notFound("UNKNOWN_GROUP");
        grpc(GroupServiceGrpc.getHeartbeatMethod(), f -> GroupHeartbeatRequest.newBuilder().setGroupId(LIVE_GROUP)
                .setMemberId(f.liveMemberId).setMemberEpoch(f.liveMemberEpoch).build(), noMember, PERMISSION_DENIED);
        grpc(GroupServiceGrpc.getLeaveGroupMethod(), f -> LeaveGroupRequest.newBuilder().setGroupId(LIVE_GROUP)
                .setMemberId(f.liveMemberId).setMemberEpoch(f.liveMemberEpoch).build(), noMember, PERMISSION_DENIED);
        grpc(GroupServiceGrpc.getCommitOffsetsMethod(), f -> CommitOffsetsRequest.newBuilder().setGroupId(LIVE_GROUP)
                .setMemberId(f.liveMemberId).setMemberEpoch(f.liveMemberEpoch)
                .addOffsets(OffsetToCommit.newBuilder().setTopic(TOPIC).setPartition(0).setOffset(3)).build(),
                notFound("UNKNOWN_TOPIC_OR_PARTITION"), PERMISSION_DENIED);
        grpc(GroupServiceGrpc.getFetchOffsetsMethod(), f -> FetchOffsetsRequest.newBuilder().setGroupId(LIVE_GROUP).build(), noGroup,
                PERMISSION_DENIED);
        GrpcCheck noGroups = (o, f) -> assertEquals(0, ((ListGroupsResponse) o.message()).getGroupsCount(), o.toString());
        grpc(GroupServiceGrpc.getListGroupsMethod(), f -> ListGroupsRequest.getDefaultInstance(),
                new GrpcExpect("OK, B's own groups: none", null, (o, f) -> {
                    assertTrue(o.status().isOk(), o.toString());
                    noGroups.check(o, f);
                }), grpcByDesign(FILTERED, noGroups));
        grpc(GroupServiceGrpc.getDescribeGroupMethod(), f -> DescribeGroupRequest.newBuilder().setGroupId(LIVE_GROUP).build(), noGroup,
                PERMISSION_DENIED);
        grpc(GroupServiceGrpc.getResetOffsetsMethod(), f -> ResetOffsetsRequest.newBuilder().setGroupId(EMPTY_GROUP).setTopic(TOPIC)
                .setStrategy(ResetStrategy.RESET_STRATEGY_LATEST).build(), notFound("UNKNOWN_TOPIC_OR_PARTITION"), PERMISSION_DENIED);
        grpc(GroupServiceGrpc.getDeleteGroupMethod(), f -> DeleteGroupRequest.newBuilder().setGroupId(EMPTY_GROUP).build(), noGroup,
                PERMISSION_DENIED);

        // Quarkus serves the standard gRPC health service on the same listener (behind the same gate).
        GrpcExpect health = grpcByDesign(SERVER_HEALTH, (o, f) -> assertEquals(HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING,
                ((HealthOuterClass.HealthCheckResponse) o.message()).getStatus(), o.toString()));
        grpc(HealthGrpc.getCheckMethod(), f -> HealthOuterClass.HealthCheckRequest.getDefaultInstance(), health, health);
        grpc(HealthGrpc.getWatchMethod(), f -> HealthOuterClass.HealthCheckRequest.getDefaultInstance(), health, health);
    }

    static Stream<String> grpcRows() {
        return GRPC.keySet().stream();
    }

    // ====================================================================== completeness

    @Test
    @Order(1)
    void everyOperationOfTheServedOpenApiDocumentHasARow() throws Exception {
        DenialFixture f = fixture();
        assertEquals(new TreeSet<>(AuthenticationGate.OPEN_PATHS), new TreeSet<>(PUBLIC_PATHS),
                "the matrix's exceptions are exactly the open paths; a new open path needs a decision here");
        HttpResponse<String> served = f.client.get("/q/openapi?format=json", f.platformAdmin);
        assertEquals(200, served.statusCode(), served.body());
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = TestClient.json(served).get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                if (HTTP_METHODS.contains(method) && !PUBLIC_PATHS.contains(path.getKey())) {
                    documented.add(method.toUpperCase() + " " + path.getKey());
                }
            }
        }
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(REST.keySet());
        Set<String> stale = new TreeSet<>(REST.keySet());
        stale.removeAll(documented);
        assertTrue(missing.isEmpty(), "operations of the served OpenAPI document without a row in the denial matrix: " + missing);
        assertTrue(stale.isEmpty(), "rows of the denial matrix for operations the served document does not have: " + stale);
        assertTrue(documented.size() >= 60, "suspiciously few operations: " + documented);
    }

    @Test
    @Order(2)
    void everyGrpcMethodHasARow() throws Exception {
        Set<String> defined = new TreeSet<>();
        for (ServiceDescriptor service : apiServices()) {
            service.getMethods().forEach(m -> defined.add(m.getFullMethodName()));
        }
        // What the server actually serves on its listener, whatever package it comes from: Quarkus's own
        // record of the services it bound (an internal API, but the only complete answer in-process).
        Set<String> served = new TreeSet<>();
        List<GrpcServerRecorder.GrpcServiceDefinition> services = GrpcServerRecorder.getServices();
        assertTrue(services != null && !services.isEmpty(), "the server serves no gRPC service?");
        services.forEach(s -> s.definition.getServiceDescriptor().getMethods().forEach(m -> served.add(m.getFullMethodName())));
        Set<String> all = new TreeSet<>(defined);
        all.addAll(served);
        Set<String> missing = new TreeSet<>(all);
        missing.removeAll(GRPC.keySet());
        Set<String> stale = new TreeSet<>(GRPC.keySet());
        stale.removeAll(all);
        assertTrue(missing.isEmpty(), "gRPC methods (defined in dev.tributary.api.v1 " + defined + " or served " + served
                + ") without a row in the denial matrix: " + missing);
        assertTrue(stale.isEmpty(), "rows of the denial matrix for gRPC methods nobody defines or serves: " + stale);
    }

    /** The service descriptor of every generated {@code *Grpc} class of dev.tributary.api.v1, found where ClusterServiceGrpc was loaded from. */
    static List<ServiceDescriptor> apiServices() throws Exception {
        String pkg = ClusterServiceGrpc.class.getPackageName();
        URL self = ClusterServiceGrpc.class.getResource(ClusterServiceGrpc.class.getSimpleName() + ".class");
        assertTrue(self != null, "cannot locate ClusterServiceGrpc.class");
        Set<String> classNames = new TreeSet<>();
        if ("file".equals(self.getProtocol())) {
            try (Stream<Path> files = Files.list(Path.of(self.toURI()).getParent())) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("Grpc.class"))
                        .forEach(n -> classNames.add(pkg + "." + n.substring(0, n.length() - ".class".length())));
            }
        } else if ("jar".equals(self.getProtocol())) {
            String dir = pkg.replace('.', '/') + "/";
            try (JarFile jar = ((JarURLConnection) self.openConnection()).getJarFile()) {
                jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(dir) && n.endsWith("Grpc.class") && n.indexOf('/', dir.length()) < 0)
                        .forEach(n -> classNames.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
            }
        } else {
            throw new IOException("cannot list the classes next to " + self);
        }
        List<ServiceDescriptor> out = new ArrayList<>();
        for (String name : classNames) {
            out.add((ServiceDescriptor) Class.forName(name, true, ClusterServiceGrpc.class.getClassLoader())
                    .getMethod("getServiceDescriptor").invoke(null));
        }
        assertTrue(out.size() >= 4, "expected the Cluster, Produce, Fetch and Group services: " + classNames);
        return out;
    }

    // ====================================================================== the matrix

    private record Column(String name, String token, String code) {}

    private static List<Column> unauthenticated(DenialFixture f) {
        return List.of(new Column("no token", null, "UNAUTHENTICATED"),
                new Column("expired token of A's administrator", f.expiredAdminA, "TOKEN_EXPIRED"),
                new Column("A's administrator's token, signature tampered with", f.tamperedAdminA, "INVALID_TOKEN"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restRows")
    @Order(3)
    void restOperation(String key) throws Exception {
        DenialFixture f = fixture();
        RestRow row = REST.get(key);
        String path = row.path().apply(f);
        assertTrue(matches(row.template(), path), path + " is not an instance of " + row.template());
        List<String> failures = new ArrayList<>();
        for (Column c : unauthenticated(f)) {
            cell(failures, c.name(), f, row, path, c.token(), problem(401, c.code()));
        }
        cell(failures, "tenant B's administrator", f, row, path, f.adminB, row.otherTenant());
        cell(failures, "tenant A's member without ACLs", f, row, path, f.memberA, row.member());
        if (row.platformOnly()) {
            cell(failures, "tenant A's administrator (platform-only operation)", f, row, path, f.adminA, FORBIDDEN);
        }
        if (row.control() != null) {
            String allowed = path.startsWith(SR) ? f.adminA : f.platformAdmin;
            cell(failures, "control: a caller that may", f, row, path, allowed, row.control());
        }
        restRowsTried.add(key);
        if (!failures.isEmpty()) {
            fail(key + " (" + path + "):\n  " + String.join("\n  ", failures));
        }
    }

    private static void cell(List<String> failures, String column, DenialFixture f, RestRow row, String path, String token,
            HttpExpect expect) {
        restCells.incrementAndGet();
        HttpResponse<String> response = null;
        try {
            response = f.send(row.method(), path, token, row.contentType(), row.body() == null ? null : row.body().apply(f));
            expect.check().check(response, f);
        } catch (Throwable e) {
            failures.add(column + ": expected " + expect.what() + ", got "
                    + (response == null ? "no answer" : response.statusCode() + " " + response.body()) + " (" + e.getMessage() + ")");
        }
    }

    static boolean matches(String template, String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("\\{[^}/]+}", -1)) {
            if (regex.length() > 0) {
                regex.append("[^/?]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.matches(regex + "(\\?.*)?", path);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grpcRows")
    @Order(4)
    void grpcMethod(String key) throws Exception {
        DenialFixture f = fixture();
        GrpcRow row = GRPC.get(key);
        Object request = row.request().apply(f);
        List<String> failures = new ArrayList<>();
        for (Column c : unauthenticated(f)) {
            grpcCell(failures, c.name(), f, row, request, c.token(), refused(Status.Code.UNAUTHENTICATED, c.code()));
        }
        grpcCell(failures, "tenant B's administrator", f, row, request, f.adminB, row.otherTenant());
        grpcCell(failures, "tenant A's member without ACLs", f, row, request, f.memberA, row.member());
        grpcRowsTried.add(key);
        if (!failures.isEmpty()) {
            fail(key + ":\n  " + String.join("\n  ", failures));
        }
    }

    private static void grpcCell(List<String> failures, String column, DenialFixture f, GrpcRow row, Object request, String token,
            GrpcExpect expect) {
        grpcCells.incrementAndGet();
        GrpcOutcome outcome = null;
        try {
            outcome = invoke(f.channel, row.method(), request, token);
            expect.check().check(outcome, f);
        } catch (Throwable e) {
            failures.add(column + ": expected " + expect.what() + ", got " + outcome + " (" + e.getMessage() + ")");
        }
    }

    /** A call's answer: its status (OK once a message came), the error code trailer, the (first) message. */
    record GrpcOutcome(Status status, Metadata trailers, Object message) {
        String code() {
            return trailers == null ? null : trailers.get(ERROR_CODE);
        }

        @Override
        public String toString() {
            return status.isOk() ? "OK " + String.valueOf(message).replace('\n', ' ') : status.getCode() + " " + code() + " "
                    + status.getDescription();
        }
    }

    /**
     * Calls {@code method} once with {@code request} and a deadline: unary calls to their end, streams
     * to their first message or their status (a subscription is not half-closed: it would stay open),
     * then the call is cancelled if still open.
     */
    @SuppressWarnings("unchecked")
    static GrpcOutcome invoke(Channel channel, MethodDescriptor<?, ?> method, Object request, String token) throws Exception {
        MethodDescriptor<Object, Object> m = (MethodDescriptor<Object, Object>) method;
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        if (token != null) {
            options = options.withCallCredentials(TestClient.bearer(token));
        }
        ClientCall<Object, Object> call = channel.newCall(m, options);
        boolean unary = m.getType() == MethodDescriptor.MethodType.UNARY;
        CompletableFuture<GrpcOutcome> answer = new CompletableFuture<>();
        AtomicReference<Object> first = new AtomicReference<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(Object message) {
                first.compareAndSet(null, message);
                if (!unary) {
                    answer.complete(new GrpcOutcome(Status.OK, null, message));
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                answer.complete(new GrpcOutcome(status, trailers, status.isOk() ? first.get() : null));
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        if (m.getType() != MethodDescriptor.MethodType.BIDI_STREAMING) {
            call.halfClose();
        }
        try {
            return answer.get(DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
        } finally {
            call.cancel("the denial matrix reads one answer", null); // nothing if it has ended
        }
    }

    // ====================================================================== no side effect

    private static void noteByDesign(Map<String, List<String>> byDesign, String key, String otherTenant, String member) {
        if (otherTenant != null) {
            byDesign.computeIfAbsent(otherTenant, r -> new ArrayList<>()).add(key + " (tenant B's admin)");
        }
        if (member != null) {
            byDesign.computeIfAbsent(member, r -> new ArrayList<>()).add(key + " (A's member)");
        }
    }

    @Test
    @Order(5)
    void nothingOfEitherTenantOrThePlatformChanged() throws Exception {
        DenialFixture f = fixture();
        assertEquals(REST.keySet(), restRowsTried, "every REST row must have been tried before the state is compared");
        assertEquals(GRPC.keySet(), grpcRowsTried, "every gRPC row must have been tried before the state is compared");
        Map<String, String> after = ObservableState.capture(f);
        List<String> changed = ObservableState.differences(stateBefore, after);
        assertTrue(changed.isEmpty(), "the denial matrix changed " + changed.size() + " things:\n" + String.join("\n", changed));
        System.out.printf("DenialMatrixTest: %d REST operations and %d gRPC methods, %d + %d cells (no token, expired, tampered,"
                + " tenant B's admin, A's member without ACLs, A's admin on platform-only operations, controls);"
                + " %d state entries unchanged%n", REST.size(), GRPC.size(), restCells.get(), grpcCells.get(), after.size());
        Map<String, List<String>> byDesign = new LinkedHashMap<>();
        REST.values().forEach(r -> noteByDesign(byDesign, r.key(), r.otherTenant().byDesign(), r.member().byDesign()));
        GRPC.forEach((k, r) -> noteByDesign(byDesign, k, r.otherTenant().byDesign(), r.member().byDesign()));
        byDesign.forEach((reason, cells) -> System.out.printf("DenialMatrixTest: allowed by design (%s): %s%n", reason, cells));
    }
}
