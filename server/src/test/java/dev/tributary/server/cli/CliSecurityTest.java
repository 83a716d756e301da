package dev.tributary.server.cli;

import static dev.tributary.server.cli.CliRunner.run;
import static dev.tributary.server.cli.CliRunner.runWithStdin;
import static dev.tributary.server.cli.CliTenancyTest.assertFailed;
import static dev.tributary.server.cli.CliTenancyTest.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.server.cli.CliRunner.Result;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/tributary acl ...}, {@code quota ...}, {@code identity-pool ...} and {@code group ...}
 * in-process against the real server, and what the ACLs and quotas set with them then do.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliSecurityTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    private CliRunner cli;
    private String platformAdmin;

    @BeforeEach
    void connect() throws Exception {
        CliTenancyTest.awaitReachable(root, config.dataDir());
        cli = CliRunner.connect(root, config.dataDir());
        TestClient.awaitProfileWithCredentials(config.dataDir());
        platformAdmin = config.dataDir().resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME).toString();
    }

    @AfterEach
    void removeProfiles() throws Exception {
        if (cli != null) {
            cli.deleteProfiles();
        }
    }

    private static String clientIdOf(Path profile) {
        return ConnectionProfile.read(profile).credentials().clientId();
    }

    private static JsonNode json(Result r) throws Exception {
        assertOk(r);
        return TestClient.JSON.readTree(r.out());
    }

    @Test
    void aclsGrantAndRevoke() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();
        Path memberProfile = cli.profileFor(tenant, "member");
        String member = memberProfile.toString();
        String memberId = clientIdOf(memberProfile);
        assertOk(run("topic", "create", "orders", "--profile", admin));
        assertFailed("FORBIDDEN", run("topic", "describe", "orders", "--profile", member));

        Result created = run("acl", "create", "--principal", memberId, "--operation", "read", "--resource-type", "topic",
                "--resource-name", "orders", "--profile", admin);
        assertOk(created);
        Matcher m = Pattern.compile("created ACL (\\S+): allow " + memberId + " read on topic 'orders'\n").matcher(created.out());
        assertTrue(m.matches(), created.out());
        String id = m.group(1);
        assertOk(run("topic", "describe", "orders", "--profile", member));
        assertFailed("ACL_ALREADY_EXISTS", run("acl", "create", "--principal", memberId, "--operation", "read", "--resource-type",
                "topic", "--resource-name", "orders", "--profile", admin));
        Result invalid = run("acl", "create", "--principal", memberId, "--operation", "alter", "--resource-type", "group",
                "--resource-name", "billing", "--profile", admin);
        assertFailed("INVALID_ACL", invalid);
        assertTrue(invalid.err().contains("operation"), invalid.toString());

        JsonNode deny = json(run("acl", "create", "--principal", "*", "--operation", "write", "--resource-type", "topic",
                "--resource-name", "audit-", "--pattern-type", "prefixed", "--permission", "deny", "-o", "json", "--profile", admin));
        assertEquals("prefixed", deny.get("patternType").asText());
        assertEquals("deny", deny.get("permission").asText());
        assertEquals("*", deny.get("principal").asText());

        List<String> table = run("acl", "list", "--profile", admin).out().lines().toList();
        assertEquals(3, table.size(), String.join("\n", table));
        assertTrue(table.get(0).matches("ID +PRINCIPAL +PERMISSION +OPERATION +RESOURCE-TYPE +PATTERN +RESOURCE-NAME"), table.get(0));
        assertTrue(table.stream().anyMatch(l -> l.matches(Pattern.quote(id) + " +" + memberId + " +allow +read +topic +literal +orders")),
                String.join("\n", table));
        assertTrue(table.stream().anyMatch(l -> l.matches("\\S+ +\\* +deny +write +topic +prefixed +audit-")), String.join("\n", table));
        List<String> mine = run("acl", "list", "--principal", memberId, "--profile", admin).out().lines().toList();
        assertEquals(2, mine.size(), String.join("\n", mine));
        assertTrue(mine.get(1).startsWith(id + " "), mine.get(1));
        assertEquals(2, json(run("acl", "list", "--resource-type", "topic", "-o", "json", "--profile", admin)).size());
        assertEquals(0, json(run("acl", "list", "--resource-type", "group", "-o", "json", "--profile", admin)).size());
        assertFailed("FORBIDDEN", run("acl", "list", "--profile", member));
        assertFailed("FORBIDDEN", run("acl", "delete", id, "--profile", member));

        Result deleted = run("acl", "delete", id, "--profile", admin);
        assertOk(deleted);
        assertEquals("deleted ACL " + id + "\n", deleted.out());
        assertFailed("ACL_NOT_FOUND", run("acl", "delete", id, "--profile", admin));
        Result ifExists = run("acl", "delete", id, "--if-exists", "--profile", admin);
        assertOk(ifExists);
        assertEquals("ACL " + id + " does not exist\n", ifExists.out());
        assertFailed("FORBIDDEN", run("topic", "describe", "orders", "--profile", member));
    }

    @Test
    void quotasAreSetByPlatformAdministratorsAndHold() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();
        JsonNode defaults = json(run("quota", "get", "--tenant", tenant, "-o", "json", "--profile", platformAdmin));
        String firstEtag = defaults.get("etag").asText();
        Result table = run("quota", "get", "--profile", admin);
        assertOk(table);
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(0).matches("LIMIT +VALUE +USED"), table.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("topics +\\S+ +0")), table.out());
        assertEquals("etag: " + firstEtag, lines.get(lines.size() - 1));
        assertFailed("FORBIDDEN", run("quota", "set", "--topics", "100", "--profile", admin));
        assertFailed("FORBIDDEN", run("quota", "reset", "--profile", admin));

        Result set = run("quota", "set", "--tenant", tenant, "--topics", "1", "--partitions", "10", "--profile", platformAdmin);
        assertOk(set);
        assertTrue(set.out().startsWith("quota of tenant " + tenant + " set\n"), set.out());
        assertTrue(set.out().lines().anyMatch(l -> l.matches("topics +1 +0")), set.out());
        assertTrue(set.out().lines().anyMatch(l -> l.matches("partitions +10 +0")), set.out());
        // The limits not named keep their values.
        JsonNode merged = json(run("quota", "set", "--tenant", tenant, "--produce-bytes-per-second", "1000000", "-o", "json",
                "--profile", platformAdmin)).get("limits");
        assertEquals(1, merged.get("topics").asLong());
        assertEquals(10, merged.get("partitions").asLong());
        assertEquals(1000000, merged.get("produceBytesPerSecond").asLong());
        assertEquals(defaults.get("limits").get("storageBytes"), merged.get("storageBytes"));
        assertFailed("PRECONDITION_FAILED", run("quota", "set", "--tenant", tenant, "--topics", "2", "--if-match", firstEtag,
                "--profile", platformAdmin));
        assertFailed("INVALID_QUOTA", run("quota", "set", "--tenant", tenant, "--topics", "-1", "--profile", platformAdmin));
        assertFailed("TENANT_NOT_FOUND", run("quota", "get", "--tenant", "no-such-tenant", "--profile", platformAdmin));

        assertOk(run("topic", "create", "first", "--profile", admin));
        assertFailed("TOPIC_QUOTA_EXCEEDED", run("topic", "create", "second", "--profile", admin));

        JsonNode replaced = json(run("quota", "set", "--tenant", tenant, "--replace", "--topics", "5", "-o", "json",
                "--profile", platformAdmin)).get("limits");
        assertEquals(5, replaced.get("topics").asLong());
        assertTrue(replaced.get("partitions").isNull(), replaced.toString());
        assertTrue(replaced.get("produceBytesPerSecond").isNull(), replaced.toString());
        assertTrue(json(run("quota", "set", "--tenant", tenant, "--topics", "unlimited", "-o", "json", "--profile", platformAdmin))
                .get("limits").get("topics").isNull());
        assertOk(run("topic", "create", "second", "--profile", admin));

        Result reset = run("quota", "reset", "--tenant", tenant, "--profile", platformAdmin);
        assertOk(reset);
        assertEquals("quota of tenant " + tenant + " reset to the defaults\n", reset.out());
        assertEquals(defaults.get("limits"), json(run("quota", "get", "--tenant", tenant, "-o", "json", "--profile", platformAdmin))
                .get("limits"));
    }

    @Test
    void identityPools() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();
        String member = cli.profileFor(tenant, "member").toString();
        String issuer = "https://idp-" + UUID.randomUUID().toString().substring(0, 8) + ".example/realms/corp";

        Result created = run("identity-pool", "create", "corp", "--issuer", issuer, "--audience", "tributary", "--admin-claim",
                "groups", "--admin-value", "tributary-admins", "--profile", admin);
        assertOk(created);
        assertEquals("created identity pool corp for issuer " + issuer + "; its principals are corp:<sub>\n", created.out());
        assertFailed("IDENTITY_POOL_ALREADY_EXISTS", run("identity-pool", "create", "corp", "--issuer", issuer + "/x", "--audience",
                "t", "--profile", admin));
        assertFailed("ISSUER_ALREADY_REGISTERED", run("identity-pool", "create", "other", "--issuer", issuer, "--audience", "t",
                "--profile", admin));
        assertFailed("INVALID_IDENTITY_POOL", run("identity-pool", "create", "plain", "--issuer", "http://idp.example",
                "--audience", "t", "--profile", admin));
        assertFailed("FORBIDDEN", run("identity-pool", "create", "mine", "--issuer", issuer + "/m", "--audience", "t",
                "--profile", member));
        // The issuer's CA as a PEM file: here the development CA the server generated.
        assertOk(run("identity-pool", "create", "partners", "--issuer", issuer + "/partners", "--audience", "tributary",
                "--principal-claim", "email", "--jwks-uri", issuer + "/partners/keys", "--issuer-ca-file",
                TestClient.caFile(config.dataDir()).toString(), "--profile", admin));

        List<String> table = run("identity-pool", "list", "--profile", admin).out().lines().toList();
        assertEquals(3, table.size(), String.join("\n", table));
        assertTrue(table.get(0).matches("NAME +ISSUER +AUDIENCE +PRINCIPAL-CLAIM +ADMINS"), table.get(0));
        assertTrue(table.get(1).matches("corp +" + Pattern.quote(issuer) + " +tributary +sub +groups in tributary-admins"),
                table.get(1));
        assertTrue(table.get(2).matches("partners +\\S+ +tributary +email +none"), table.get(2));
        Result described = run("identity-pool", "describe", "partners", "--profile", admin);
        assertOk(described);
        assertTrue(described.out().contains("\njwks uri:         " + issuer + "/partners/keys\n"), described.out());
        assertTrue(described.out().contains("\nissuer CA:        (PEM given)\n"), described.out());
        JsonNode json = json(run("identity-pool", "describe", "corp", "-o", "json", "--profile", admin));
        assertEquals(List.of("tributary-admins"), List.of(json.get("adminValues").get(0).asText()));
        assertTrue(json.get("etag").asText().startsWith("\""), json.toString());
        assertFailed("FORBIDDEN", run("identity-pool", "list", "--profile", member));

        Result deleted = run("identity-pool", "delete", "corp", "partners", "--profile", admin);
        assertOk(deleted);
        assertEquals("deleted identity pool corp\ndeleted identity pool partners\n", deleted.out());
        assertFailed("IDENTITY_POOL_NOT_FOUND", run("identity-pool", "describe", "corp", "--profile", admin));
        assertFailed("IDENTITY_POOL_NOT_FOUND", run("identity-pool", "delete", "corp", "--profile", admin));
        assertOk(run("identity-pool", "delete", "corp", "--if-exists", "--profile", admin));
        assertEquals(1, run("identity-pool", "list", "--profile", admin).out().lines().count(), "the header only");
    }

    @Test
    void consumerGroups() throws Exception {
        String tenant = cli.newTenant("cli");
        Path adminProfile = cli.profileFor(tenant, "tenant-admin");
        String admin = adminProfile.toString();
        assertOk(run("topic", "create", "orders", "--partitions", "2", "--profile", admin));
        assertOk(runWithStdin("a\nb\nc\n", "produce", "orders", "--partition", "0", "--profile", admin));
        assertOk(runWithStdin("d\ne\nf\n", "produce", "orders", "--partition", "1", "--profile", admin));
        assertEquals(List.of("GROUP  STATE  MEMBERS"), run("group", "list", "--profile", admin).out().lines().toList());
        // consume --group commits what it printed, then leaves the group.
        assertOk(run("consume", "orders", "--group", "billing", "--from-beginning", "--max", "6", "--profile", admin));

        List<String> listed = run("group", "list", "--profile", admin).out().lines().toList();
        assertEquals(List.of("GROUP    STATE  MEMBERS", "billing  empty  0"), listed);
        Result described = run("group", "describe", "billing", "--profile", admin);
        assertOk(described);
        assertEquals(List.of("group:       billing", "state:       empty"), described.out().lines().limit(2).toList());
        assertTrue(described.out().contains("\nmembers:     none\n"), described.out());
        assertTrue(described.out().endsWith("TOPIC   PARTITION  COMMITTED  LOG-END  LAG\n"
                + "orders  0          3          3        0\n"
                + "orders  1          3          3        0\n"), described.out());

        Result reset = run("group", "reset-offsets", "billing", "--to-earliest", "--profile", admin);
        assertOk(reset);
        assertEquals("reset the offsets of group billing to earliest\n"
                + "TOPIC   PARTITION  COMMITTED  LOG-END  LAG\n"
                + "orders  0          0          3        3\n"
                + "orders  1          0          3        3\n", reset.out());
        JsonNode latest = json(run("group", "reset-offsets", "billing", "--to-latest", "--topic", "orders", "-o", "json",
                "--profile", admin));
        assertEquals(2, latest.size());
        assertEquals(3, latest.get(0).get("committedOffset").asLong());
        Result byTime = run("group", "reset-offsets", "billing", "--to-datetime", "1970-01-01T00:00:00Z", "--profile", admin);
        assertOk(byTime);
        assertTrue(byTime.out().startsWith("reset the offsets of group billing to 1970-01-01T00:00:00Z\n"), byTime.out());
        assertTrue(byTime.out().contains("\norders  1          0          3        3\n"), byTime.out());

        // With a live member the group is neither reset nor deleted.
        try (TributaryClient client = TributaryClient.connect(adminProfile);
                Consumer<byte[], byte[]> consumer = client.newConsumer(ConsumerConfig.builder().groupId("billing")
                        .enableAutoCommit(false).build())) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.assignment().size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            assertEquals(2, consumer.assignment().size());
            assertFailed("GROUP_NOT_EMPTY", run("group", "reset-offsets", "billing", "--to-latest", "--profile", admin));
            assertFailed("GROUP_NOT_EMPTY", run("group", "delete", "billing", "--profile", admin));
            JsonNode live = json(run("group", "describe", "billing", "-o", "json", "--profile", admin));
            assertEquals(1, live.get("members").size());
            assertEquals(2, live.get("members").get(0).get("assignments").size());
            Result table = run("group", "describe", "billing", "--profile", admin);
            assertTrue(table.out().contains("MEMBER") && table.out().contains("orders-0,orders-1"), table.out());
        }

        String member = cli.profileFor(tenant, "member").toString();
        assertFailed("FORBIDDEN", run("group", "describe", "billing", "--profile", member));
        assertFailed("GROUP_NOT_FOUND", run("group", "describe", "ghost", "--profile", admin));
        assertFailed("GROUP_NOT_FOUND", run("group", "delete", "ghost", "--profile", admin));
        Result deleted = run("group", "delete", "billing", "--profile", admin);
        assertOk(deleted);
        assertEquals("deleted group billing\n", deleted.out());
        assertFailed("GROUP_NOT_FOUND", run("group", "describe", "billing", "--profile", admin));
        assertOk(run("group", "delete", "billing", "--if-exists", "--profile", admin));
    }
}
