package dev.tributary.server.cli;

import static dev.tributary.server.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bin/tributary topic ...} in-process against the real server, with profile files like the one standalone writes. */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTopicTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    private CliRunner cli;

    @BeforeEach
    void connect() throws Exception {
        cli = CliRunner.connect(root, config.dataDir());
    }

    @AfterEach
    void removeProfiles() throws Exception {
        if (cli != null) {
            cli.deleteProfiles();
        }
    }

    private static void assertOk(Result r) {
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Exit 1 and exactly one line {@code error: CODE: ...} on stderr. */
    private static void assertFailed(String code, Result r) {
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: " + code + ": "), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    private static void assertUsage(Result r) {
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: USAGE: "), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void topicLifecycle() throws Exception {
        String tenant = cli.newTenant("cli");
        String profile = cli.profileFor(tenant, "tenant-admin").toString();

        Result created = run("topic", "create", "orders", "--partitions", "3", "--config", "retention.ms=60000", "--profile", profile);
        assertOk(created);
        assertEquals("created topic orders (3 partitions)\n", created.out());
        assertFailed("TOPIC_ALREADY_EXISTS", run("topic", "create", "orders", "--profile", profile));
        Result again = run("topic", "create", "orders", "--if-not-exists", "--profile", profile);
        assertOk(again);
        assertEquals("topic orders exists already\n", again.out());
        assertOk(run("topic", "create", "audit", "--profile", profile));
        assertFailed("INVALID_CONFIG", run("topic", "create", "bad", "--config", "no.such.setting=1", "--profile", profile));
        assertFailed("INVALID_TOPIC_NAME", run("topic", "create", "no spaces", "--profile", profile));

        Result list = run("topic", "list", "--profile", profile);
        assertOk(list);
        assertEquals("audit\norders\n", list.out(), "names, one per line, in name order");
        List<String> table = run("topic", "list", "--long", "--profile", profile).out().lines().toList();
        assertEquals(3, table.size(), String.join("\n", table));
        assertTrue(table.get(0).matches("NAME +PARTITIONS +CREATED +CONFIG"), table.get(0));
        assertTrue(table.get(2).matches("orders +3 +\\S+Z +retention\\.ms=60000"), table.get(2));
        JsonNode listed = TestClient.JSON.readTree(run("topic", "list", "--json", "--profile", profile).out());
        assertEquals(2, listed.size());
        assertEquals("orders", listed.get(1).get("name").asText());
        assertEquals(3, listed.get(1).get("partitions").asInt());

        Result described = run("topic", "describe", "orders", "--profile", profile);
        assertOk(described);
        List<String> lines = described.out().lines().toList();
        assertEquals("name:        orders", lines.get(0));
        assertTrue(lines.contains("partitions:  3"), described.out());
        assertTrue(lines.contains("  retention.ms=60000"), described.out());
        assertTrue(lines.contains("PARTITION  LOG-START  HIGH-WATERMARK  RECORDS"), described.out());
        assertTrue(lines.contains("2          0          0               0"), described.out());
        Result allConfig = run("topic", "describe", "orders", "--all-config", "--profile", profile);
        assertTrue(allConfig.out().lines().filter(l -> l.matches("  [a-z.]+=.*")).count() > 1, "defaults too: " + allConfig.out());

        // alter: with the etag describe showed, once; the same etag again is stale.
        JsonNode json = TestClient.JSON.readTree(run("topic", "describe", "orders", "--json", "--profile", profile).out());
        assertEquals(3, json.get("partitionOffsets").size());
        String etag = json.get("etag").asText();
        Result altered = run("topic", "alter", "orders", "--config", "retention.ms=120000", "--config", "max.message.bytes=200000",
                "--if-match", etag, "--profile", profile);
        assertOk(altered);
        assertEquals("altered topic orders; settings now set: max.message.bytes=200000,retention.ms=120000\n", altered.out());
        assertFailed("PRECONDITION_FAILED", run("topic", "alter", "orders", "--delete-config", "retention.ms", "--if-match", etag,
                "--profile", profile));
        Result reset = run("topic", "alter", "orders", "--delete-config", "retention.ms", "--delete-config", "max.message.bytes",
                "--profile", profile);
        assertOk(reset);
        assertEquals("altered topic orders; settings now set: none\n", reset.out());

        Result grown = run("topic", "add-partitions", "orders", "--partitions", "5", "--profile", profile);
        assertOk(grown);
        assertEquals("topic orders now has 5 partitions\n", grown.out());
        assertFailed("INVALID_PARTITIONS", run("topic", "add-partitions", "orders", "--partitions", "2", "--profile", profile));

        Result deleted = run("topic", "delete", "orders", "audit", "--profile", profile);
        assertOk(deleted);
        assertEquals("deleted topic orders\ndeleted topic audit\n", deleted.out());
        assertFailed("UNKNOWN_TOPIC", run("topic", "describe", "orders", "--profile", profile));
        assertFailed("UNKNOWN_TOPIC", run("topic", "delete", "orders", "--profile", profile));
        Result ifExists = run("topic", "delete", "orders", "--if-exists", "--profile", profile);
        assertOk(ifExists);
        assertEquals("topic orders does not exist\n", ifExists.out());
        Result empty = run("topic", "list", "--profile", profile);
        assertOk(empty);
        assertEquals("", empty.out());
    }

    @Test
    void rolesAndTenantsAreEnforced() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();
        Path memberProfile = cli.profileFor(tenant, "member");
        String member = memberProfile.toString();
        // What a member may do is what ACLs grant: here describing every topic.
        TestClient rest = TestClient.forServer(root, config.dataDir());
        rest.grantAcl(rest.adminToken(config.dataDir()), tenant, ConnectionProfile.read(memberProfile).credentials().clientId(),
                "describe", "topic", "*");
        String other = cli.newTenant("cli");
        String otherAdmin = cli.profileFor(other, "tenant-admin").toString();
        assertOk(run("topic", "create", "payments", "--profile", admin));

        // A member allowed to describe reads and may not change.
        assertEquals("payments\n", run("topic", "list", "--profile", member).out());
        assertOk(run("topic", "describe", "payments", "--profile", member));
        assertFailed("FORBIDDEN", run("topic", "create", "mine", "--profile", member));
        assertFailed("FORBIDDEN", run("topic", "alter", "payments", "--config", "retention.ms=1000", "--profile", member));
        assertFailed("FORBIDDEN", run("topic", "delete", "payments", "--profile", member));

        // --tenant addresses another tenant; its administrators are refused here, and their own tenant is empty.
        assertFailed("FORBIDDEN", run("topic", "list", "--tenant", tenant, "--profile", otherAdmin));
        assertFailed("FORBIDDEN", run("topic", "delete", "payments", "--tenant", tenant, "--profile", otherAdmin));
        assertEquals("", run("topic", "list", "--profile", otherAdmin).out());
        assertEquals("payments\n", run("topic", "list", "--profile", admin).out());
        assertOk(run("topic", "describe", "payments", "--tenant", tenant, "--profile", admin));
    }

    @Test
    void usageAndProfileErrorsSendNothing() throws Exception {
        String tenant = cli.newTenant("cli");
        String profile = cli.profileFor(tenant, "tenant-admin").toString();

        assertUsage(run());
        assertUsage(run("topic"));
        assertUsage(run("topic", "create", "--profile", profile));
        assertUsage(run("topic", "create", "x", "--partitions", "many", "--profile", profile));
        assertUsage(run("topic", "alter", "x", "--profile", profile));
        assertUsage(run("topic", "frobnicate", "--profile", profile));
        assertUsage(run("produce", "--profile", profile));
        assertUsage(run("produce", "t", "--key-separator", "", "--profile", profile));
        assertUsage(run("produce", "t", "--acks", "sometimes", "--profile", profile));
        assertUsage(run("produce", "t", "-P", "no.such.setting=1", "--profile", profile));
        assertUsage(run("consume", "t", "--max", "0", "--profile", profile));
        assertUsage(run("consume", "t", "--group", "g", "--partition", "1", "--profile", profile));
        assertUsage(run("consume", "t", "-P", "auto.offset.reset=sometimes", "--profile", profile));
        Result suggestion = run("topic", "crate", "x", "--profile", profile);
        assertUsage(suggestion);
        assertTrue(suggestion.err().contains("topic create"), suggestion.toString());

        Result missing = run("topic", "list", "--profile", cli.profileDir().resolve("missing.properties").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith("error: INVALID_PROFILE: cannot read the profile "), missing.toString());
        assertTrue(missing.err().contains("no such file"), missing.toString());
        Path noEndpoint = Files.writeString(cli.profileDir().resolve("no-endpoint.properties"), "tributary.auth.client-id=x\n");
        Result invalid = run("topic", "list", "--profile", noEndpoint.toString());
        assertEquals(2, invalid.exitCode(), invalid.toString());
        assertTrue(invalid.err().startsWith("error: INVALID_PROFILE: "), invalid.toString());

        // Nothing above reached the server.
        assertEquals("", run("topic", "list", "--profile", profile).out());

        Result help = run("topic", "create", "--help");
        assertOk(help);
        assertTrue(help.out().startsWith("Usage: tributary topic create "), help.out());
        List<String> commands = new ArrayList<>(run("--help").out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1)
                .takeWhile(l -> !l.isBlank()).map(l -> l.trim().split(" +")[0]).toList());
        assertEquals(List.of("topic", "produce", "consume", "tenant", "service-account", "acl", "quota", "identity-pool", "group",
                "help"), commands);
    }
}
