package dev.tributary.server.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.TopicDescription;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.TokenSource;
import dev.tributary.client.internal.admin.RestAdmin;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identity.TokenSubject;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's admin client against the real server: real TLS (the development CA), real client
 * credentials and tokens from the built-in issuer, the REST topics API underneath.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkAdminTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private TestClient rest;
    private String platformAdmin;
    private Path caFile;
    private URI endpoint;

    @BeforeEach
    void connect() throws Exception {
        rest = TestClient.forServer(root, config.dataDir());
        caFile = rest.caFile();
        platformAdmin = rest.adminToken(config.dataDir());
        endpoint = URI.create("https://localhost:" + root.getPort());
    }

    private String newTenant() throws Exception {
        String id = TestClient.uniqueId("sdk");
        rest.createTenant(platformAdmin, id);
        return id;
    }

    /** A service account of {@code tenant} with {@code role}: its id, clientId and clientSecret. */
    private JsonNode newAccount(String tenant, String role) throws Exception {
        return rest.createServiceAccount(platformAdmin, tenant, role + "-" + UUID.randomUUID().toString().substring(0, 4), role);
    }

    /** A profile with the account's credentials, addressing {@code tenant} (null: the token's tenant). */
    private ClientProfile profile(JsonNode account, String tenant) {
        return new ClientProfile(endpoint, caFile, account.get("clientId").asText(), account.get("clientSecret").asText(), null, tenant);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("unexpected failure: " + e.getCause(), e.getCause());
        }
    }

    /** The TributaryException the future failed with; fails the test if it succeeded or failed otherwise. */
    private static TributaryException failure(CompletableFuture<?> future) throws Exception {
        try {
            Object result = future.get(30, TimeUnit.SECONDS);
            return fail("expected a failure, got " + result);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TributaryException t) {
                return t;
            }
            throw new AssertionError("expected a TributaryException, got " + e.getCause(), e.getCause());
        }
    }

    private static void assertCode(String code, CompletableFuture<?> future) throws Exception {
        TributaryException e = failure(future);
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void tenantAdministratorCreatesDescribesAltersAndDeletes() throws Exception {
        String tenant = newTenant();
        try (TributaryClient client = TributaryClient.connect(profile(newAccount(tenant, "tenant-admin"), null))) {
            Admin admin = client.admin();
            assertEquals(tenant, await(admin.tenant()), "the tenant comes from the token when the profile names none");

            Instant before = Instant.now().minusSeconds(5);
            TopicDescription created = await(admin.createTopic(new NewTopic("orders", 3, Map.of("retention.ms", "60000"))));
            assertEquals("orders", created.name());
            assertEquals(3, created.partitions());
            assertTrue(created.id().matches("[0-9a-f]{32}"), created.id());
            assertEquals(Map.of("retention.ms", "60000"), created.config());
            assertEquals("60000", created.effectiveConfig().get("retention.ms"));
            assertTrue(created.effectiveConfig().size() > 1, "defaults are listed too: " + created.effectiveConfig());
            assertFalse(created.createdAt().isBefore(before), created.createdAt().toString());
            assertNotNull(created.etag());

            TopicDescription described = await(admin.describeTopic("orders"));
            assertEquals(created.id(), described.id());
            assertEquals(created.etag(), described.etag(), "nothing changed between create and describe");
            assertEquals(List.of(new TopicDescription.PartitionOffsets(0, 0, 0), new TopicDescription.PartitionOffsets(1, 0, 0),
                    new TopicDescription.PartitionOffsets(2, 0, 0)), described.partitionOffsets());

            // Optimistic concurrency: the current etag applies, the stale one is refused and changes nothing.
            TopicDescription altered = await(admin.updateTopicConfig("orders", Map.of("retention.ms", "120000",
                    "max.message.bytes", "200000"), List.of(), described.etag()));
            assertEquals(Map.of("retention.ms", "120000", "max.message.bytes", "200000"), altered.config());
            assertNotEquals(described.etag(), altered.etag());
            assertCode("PRECONDITION_FAILED", admin.updateTopicConfig("orders", Map.of(), List.of("retention.ms"), described.etag()));
            assertEquals("120000", await(admin.describeTopic("orders")).config().get("retention.ms"));
            // An etag typed without its quotes is the same etag.
            String bare = altered.etag().replace("\"", "");
            TopicDescription reset = await(admin.updateTopicConfig("orders", null, List.of("retention.ms"), bare));
            assertEquals(Map.of("max.message.bytes", "200000"), reset.config());
            // Without If-Match the change applies unconditionally.
            assertEquals(Map.of(), await(admin.updateTopicConfig("orders", Map.of(), List.of("max.message.bytes"), null)).config());

            assertEquals(5, await(admin.addPartitions("orders", 5)).partitions());
            assertEquals(5, await(admin.describeTopic("orders")).partitionOffsets().size());
            assertCode("INVALID_PARTITIONS", admin.addPartitions("orders", 2));

            assertCode("TOPIC_ALREADY_EXISTS", admin.createTopic(new NewTopic("orders", 1)));
            assertCode("INVALID_TOPIC_NAME", admin.createTopic(new NewTopic("no spaces", 1)));
            assertCode("INVALID_PARTITIONS", admin.createTopic(new NewTopic("zero", 0)));
            assertCode("INVALID_CONFIG", admin.createTopic(new NewTopic("bad-config", 1, Map.of("no.such.setting", "1"))));
            assertCode("INVALID_TOPIC_NAME", admin.describeTopic(".."));

            await(admin.deleteTopic("orders"));
            TributaryException unknown = failure(admin.describeTopic("orders"));
            assertEquals("UNKNOWN_TOPIC", unknown.code());
            assertEquals("404", unknown.metadata().get("http_status"));
            assertFalse(unknown.retriable());
            assertCode("UNKNOWN_TOPIC", admin.deleteTopic("orders"));
            assertCode("UNKNOWN_TOPIC", admin.updateTopicConfig("orders", Map.of("retention.ms", "1"), List.of(), null));
            assertEquals(List.of(), await(admin.listTopics()));
        }
    }

    @Test
    void listingFollowsEveryPage() throws Exception {
        String tenant = newTenant();
        // More than two pages of the client's page size (100), so that at least two page tokens are followed.
        int count = 205;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(String.format("topic-%03d", i));
        }
        try (TributaryClient client = TributaryClient.connect(profile(newAccount(tenant, "tenant-admin"), tenant))) {
            Admin admin = client.admin();
            // In waves of 25: concurrent enough to be quick, few enough streams for one HTTP/2 connection.
            for (int from = 0; from < count; from += 25) {
                List<CompletableFuture<TopicDescription>> wave = new ArrayList<>();
                for (String name : expected.subList(from, Math.min(count, from + 25))) {
                    wave.add(admin.createTopic(new NewTopic(name, 1)));
                }
                await(CompletableFuture.allOf(wave.toArray(CompletableFuture[]::new)));
            }
            List<TopicDescription> listed = await(admin.listTopics());
            assertEquals(expected, listed.stream().map(TopicDescription::name).toList(), "every topic, once, in name order");
            TopicDescription first = listed.get(0);
            assertEquals(1, first.partitions());
            assertNull(first.etag(), "listings carry no etag");
            assertEquals(List.of(), first.partitionOffsets(), "listings carry no offsets");
            assertNotNull(first.createdAt());
        }
    }

    @Test
    void membersReadOnlyAndOtherTenantsAreRefused() throws Exception {
        String tenant = newTenant();
        JsonNode tenantAdmin = newAccount(tenant, "tenant-admin");
        JsonNode member = newAccount(tenant, "member");
        // What a member may do is what ACLs grant: here describing every topic.
        rest.grantAcl(platformAdmin, tenant, member.get("id").asText(), "describe", "topic", "*");
        String other = newTenant();
        JsonNode otherAdmin = newAccount(other, "tenant-admin");
        try (TributaryClient adminClient = TributaryClient.connect(profile(tenantAdmin, null));
                TributaryClient memberClient = TributaryClient.connect(profile(member, null));
                TributaryClient intruder = TributaryClient.connect(profile(otherAdmin, tenant))) {
            await(adminClient.admin().createTopic(new NewTopic("payments", 2)));

            Admin asMember = memberClient.admin();
            assertEquals(2, await(asMember.describeTopic("payments")).partitions());
            assertEquals(List.of("payments"), await(asMember.listTopics()).stream().map(TopicDescription::name).toList());
            assertCode("FORBIDDEN", asMember.createTopic(new NewTopic("mine", 1)));
            assertCode("FORBIDDEN", asMember.updateTopicConfig("payments", Map.of("retention.ms", "1000"), List.of(), null));
            assertCode("FORBIDDEN", asMember.addPartitions("payments", 4));
            assertCode("FORBIDDEN", asMember.deleteTopic("payments"));

            // An administrator of another tenant addressing this one: refused whether the topic exists or not.
            Admin wrongTenant = intruder.admin();
            assertEquals(tenant, await(wrongTenant.tenant()), "the profile's tenant wins over the token's");
            TributaryException forbidden = failure(wrongTenant.listTopics());
            assertEquals("FORBIDDEN", forbidden.code());
            assertEquals("403", forbidden.metadata().get("http_status"));
            assertCode("FORBIDDEN", wrongTenant.describeTopic("payments"));
            assertCode("FORBIDDEN", wrongTenant.describeTopic("no-such-topic"));
            assertCode("FORBIDDEN", wrongTenant.deleteTopic("payments"));
            assertCode("FORBIDDEN", wrongTenant.createTopic(new NewTopic("planted", 1)));

            TopicDescription unchanged = await(adminClient.admin().describeTopic("payments"));
            assertEquals(2, unchanged.partitions());
            assertEquals(Map.of(), unchanged.config());
            assertEquals(List.of("payments"), await(adminClient.admin().listTopics()).stream().map(TopicDescription::name).toList());
        }
    }

    @Test
    void platformAdministratorNamesTheTenant() throws Exception {
        String tenant = newTenant();
        ClientProfile connection = new ClientProfile(endpoint, caFile, null, null, null, null);
        try (TributaryClient noTenant = TributaryClient.connect(connection, platformAdmin);
                TributaryClient withTenant = TributaryClient.connect(connection.withTenant(tenant), platformAdmin);
                TributaryClient missingTenant = TributaryClient.connect(connection.withTenant("no-such-tenant"), platformAdmin)) {
            // A platform administrator belongs to no tenant: without one in the profile there is nothing to address.
            assertCode("INVALID_CONFIG", noTenant.admin().listTopics());
            await(withTenant.admin().createTopic(new NewTopic("audit", 1)));
            assertEquals(List.of("audit"), await(withTenant.admin().listTopics()).stream().map(TopicDescription::name).toList());
            assertCode("TENANT_NOT_FOUND", missingTenant.admin().listTopics());
        }
    }

    @Test
    void anExpiredTokenIsReplacedOnceAndOnlyOnce() throws Exception {
        String tenant = newTenant();
        JsonNode account = newAccount(tenant, "tenant-admin");
        ClientProfile profile = profile(account, null);
        // Genuinely expired: signed by the server's own issuer, for this account, an hour ago.
        String expired = issuer.issue(new TokenSubject(account.get("id").asText(), tenant, Set.of("tenant-admin")),
                Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(15)).accessToken();
        String fresh = rest.token(account.get("clientId").asText(), account.get("clientSecret").asText());

        // A token source whose cached token expired: the admin client must drop it and fetch another.
        List<String> invalidated = new CopyOnWriteArrayList<>();
        TokenSource stale = new TokenSource() {
            @Override
            public CompletableFuture<String> token() {
                return CompletableFuture.completedFuture(invalidated.isEmpty() ? expired : fresh);
            }

            @Override
            public void invalidate(String token) {
                invalidated.add(token);
            }
        };
        try (Connection connection = new Connection(profile, null)) {
            Admin admin = new RestAdmin(connection, stale);
            TopicDescription created = await(admin.createTopic(new NewTopic("after-refresh", 1)));
            assertEquals("after-refresh", created.name());
            assertEquals(List.of(expired), invalidated, "the expired token was invalidated once, then the request succeeded");
        }

        // A fixed token cannot be refreshed: one retry, then the server's code.
        try (TributaryClient client = TributaryClient.connect(profile, expired)) {
            TributaryException e = failure(client.admin().listTopics());
            assertEquals("TOKEN_EXPIRED", e.code(), e.getMessage());
            assertEquals("401", e.metadata().get("http_status"));
        }
        // A token that is not a valid token at all is not retried as if it had only expired.
        try (TributaryClient client = TributaryClient.connect(profile.withTenant(tenant), fresh + "x")) {
            assertCode("INVALID_TOKEN", client.admin().listTopics());
        }
    }
}
