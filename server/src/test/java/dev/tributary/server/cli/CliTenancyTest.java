package dev.tributary.server.cli;

import static dev.tributary.server.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/tributary tenant ...} and {@code service-account ...} in-process against the real
 * server: the platform administrator connects with the very profile file the server writes
 * ({@code DATA_DIR/platform-admin.properties}), tenant administrators with profile files like it.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliTenancyTest {
    private static final Pattern CLIENT_ID = Pattern.compile("(?m)^  client id: +(\\S+)$");
    private static final Pattern CLIENT_SECRET = Pattern.compile("(?m)^  client secret: +(\\S+)$");

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    private CliRunner cli;
    private String platformAdmin;

    @BeforeEach
    void connect() throws Exception {
        awaitReachable(root, config.dataDir());
        cli = CliRunner.connect(root, config.dataDir());
        TestClient.awaitProfileWithCredentials(config.dataDir());
        platformAdmin = config.dataDir().resolve(ConnectionProfile.PLATFORM_ADMIN_FILE_NAME).toString();
    }

    /**
     * Waits (up to 60 s) until the server completes a TLS connection and answers its readiness
     * probe: on a loaded machine the first handshake can take longer than the test client's 5 s
     * connect timeout, which would fail whichever test happens to run first.
     */
    static void awaitReachable(URL root, Path dataDir) throws Exception {
        TestClient client = TestClient.forServer(root, dataDir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (client.get("/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the server under test is not ready after 60 s");
            }
            Thread.sleep(100);
        }
    }

    @AfterEach
    void removeProfiles() throws Exception {
        if (cli != null) {
            cli.deleteProfiles();
        }
    }

    static void assertOk(Result r) {
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Exit 1 and exactly one line {@code error: CODE: ...} on stderr. */
    static void assertFailed(String code, Result r) {
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: " + code + ": "), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    /** Exit 2, {@code error: USAGE: ...} on stderr, nothing on stdout. */
    static void assertUsage(Result r) {
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("error: USAGE: "), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), "no " + pattern + " in:\n" + text);
        return m.group(1);
    }

    /** A profile file with these client credentials, like the ones standalone writes. */
    private Path profileWith(String clientId, String secret) throws Exception {
        Path file = cli.profileDir().resolve(clientId + "-" + secret.hashCode() + ".properties");
        Files.writeString(file, String.join("\n",
                "tributary.endpoint=https://localhost:" + root.getPort(),
                "tributary.tls.ca-file=" + TestClient.caFile(config.dataDir()).toAbsolutePath(),
                "tributary.auth.client-id=" + clientId,
                "tributary.auth.client-secret=" + secret,
                ""));
        return file;
    }

    @Test
    void platformAdministratorManagesTenants() throws Exception {
        String id = TestClient.uniqueId("cli-t");
        Result created = run("tenant", "create", id, "--profile", platformAdmin);
        assertOk(created);
        assertEquals("created tenant " + id + "\n", created.out());
        assertFailed("TENANT_ALREADY_EXISTS", run("tenant", "create", id, "--profile", platformAdmin));
        assertFailed("INVALID_TENANT_ID", run("tenant", "create", "Not_Valid", "--profile", platformAdmin));

        List<String> table = run("tenant", "list", "--profile", platformAdmin).out().lines().toList();
        assertTrue(table.get(0).matches("ID +CREATED"), table.get(0));
        assertTrue(table.stream().anyMatch(l -> l.matches(Pattern.quote(id) + " +\\S+Z")), String.join("\n", table));
        JsonNode listed = TestClient.JSON.readTree(run("tenant", "list", "-o", "json", "--profile", platformAdmin).out());
        assertTrue(listed.isArray());
        boolean found = false;
        for (JsonNode t : listed) {
            found |= t.get("id").asText().equals(id) && t.get("createdAt").asText().endsWith("Z");
        }
        assertTrue(found, listed.toString());

        Result described = run("tenant", "describe", id, "--profile", platformAdmin);
        assertOk(described);
        assertTrue(described.out().startsWith("id:       " + id + "\ncreated:  "), described.out());
        assertEquals(id, TestClient.JSON.readTree(run("tenant", "describe", id, "--output", "json", "--profile", platformAdmin).out())
                .get("id").asText());

        // A tenant administrator is not a platform administrator.
        String admin = cli.profileFor(id, "tenant-admin").toString();
        assertFailed("FORBIDDEN", run("tenant", "create", id + "-x", "--profile", admin));
        assertFailed("FORBIDDEN", run("tenant", "delete", id, "--profile", admin));
        assertFailed("FORBIDDEN", run("tenant", "list", "--profile", admin));

        Result deleted = run("tenant", "delete", id, "--profile", platformAdmin);
        assertOk(deleted);
        assertEquals("deleted tenant " + id + "\n", deleted.out());
        assertFailed("TENANT_NOT_FOUND", run("tenant", "describe", id, "--profile", platformAdmin));
        assertFailed("TENANT_NOT_FOUND", run("tenant", "delete", id, "--profile", platformAdmin));
        Result ifExists = run("tenant", "delete", id, "--if-exists", "--profile", platformAdmin);
        assertOk(ifExists);
        assertEquals("tenant " + id + " does not exist\n", ifExists.out());
        // The deleted tenant's administrator is gone with it.
        assertFailed("UNAUTHENTICATED", run("topic", "list", "--profile", admin));
    }

    @Test
    void serviceAccountsWithTheirSecretShownOnce() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();

        Result created = run("service-account", "create", "ops", "--role", "tenant-admin", "--profile", admin);
        assertOk(created);
        assertTrue(created.out().startsWith("created service account ops in tenant " + tenant + " with role tenant-admin\n"),
                created.out());
        String id = group(CLIENT_ID, created.out());
        String secret = group(CLIENT_SECRET, created.out());
        assertTrue(id.matches("sa-[a-z0-9]{20}"), id);
        assertEquals(1, created.out().split(Pattern.quote(secret), -1).length - 1, "the secret is printed once:\n" + created.out());
        assertTrue(created.out().contains("only time the secret is shown"), created.out());
        // The printed credentials work.
        Path opsProfile = profileWith(id, secret);
        assertOk(run("topic", "create", "by-ops", "--profile", opsProfile.toString()));

        JsonNode json = TestClient.JSON.readTree(run("service-account", "create", "bot", "-o", "json", "--profile", admin).out());
        assertEquals("member", json.get("role").asText());
        assertEquals(tenant, json.get("tenant").asText());
        assertTrue(json.get("clientSecret").asText().length() > 20, json.toString());
        String botId = json.get("id").asText();
        assertFailed("SERVICE_ACCOUNT_ALREADY_EXISTS", run("service-account", "create", "ops", "--profile", admin));
        assertFailed("INVALID_ROLE", run("service-account", "create", "boss", "--role", "platform-admin", "--profile", admin));

        List<String> table = run("service-account", "list", "--profile", admin).out().lines().toList();
        assertEquals(4, table.size(), String.join("\n", table));
        assertTrue(table.get(0).matches("ID +NAME +ROLE +CREATED +SECRET-ROTATED"), table.get(0));
        assertTrue(table.stream().anyMatch(l -> l.matches(id + " +ops +tenant-admin +\\S+Z +\\S+Z")), String.join("\n", table));
        assertTrue(table.stream().anyMatch(l -> l.matches(botId + " +bot +member +\\S+Z +\\S+Z")), String.join("\n", table));
        assertEquals(3, TestClient.JSON.readTree(run("service-account", "list", "-o", "json", "--profile", admin).out()).size());
        Result described = run("service-account", "describe", id, "--profile", admin);
        assertOk(described);
        assertTrue(described.out().contains("\nname:            ops\n"), described.out());
        assertTrue(!described.out().contains(secret), "describe never shows the secret");

        Result rotated = run("service-account", "rotate-secret", id, "--profile", admin);
        assertOk(rotated);
        assertTrue(rotated.out().startsWith("rotated the secret of service account ops; the old secret no longer works\n"),
                rotated.out());
        String newSecret = group(CLIENT_SECRET, rotated.out());
        assertNotEquals(secret, newSecret);
        assertEquals(id, group(CLIENT_ID, rotated.out()));
        assertFailed("UNAUTHENTICATED", run("topic", "list", "--profile", opsProfile.toString()));
        assertEquals("by-ops\n", run("topic", "list", "--profile", profileWith(id, newSecret).toString()).out());

        // A member may not manage accounts; the platform administrator names the tenant.
        String member = cli.profileFor(tenant, "member").toString();
        assertFailed("FORBIDDEN", run("service-account", "list", "--profile", member));
        assertFailed("FORBIDDEN", run("service-account", "rotate-secret", id, "--profile", member));
        Result asPlatform = run("service-account", "describe", botId, "--tenant", tenant, "--profile", platformAdmin);
        assertOk(asPlatform);
        assertTrue(asPlatform.out().contains("\nname:            bot\n"), asPlatform.out());

        Result deleted = run("service-account", "delete", botId, "--profile", admin);
        assertOk(deleted);
        assertEquals("deleted service account " + botId + "\n", deleted.out());
        assertFailed("SERVICE_ACCOUNT_NOT_FOUND", run("service-account", "describe", botId, "--profile", admin));
        assertFailed("SERVICE_ACCOUNT_NOT_FOUND", run("service-account", "delete", botId, "--profile", admin));
        assertOk(run("service-account", "delete", botId, "--if-exists", "--profile", admin));
    }

    @Test
    void badCommandLinesSendNothing() throws Exception {
        String tenant = cli.newTenant("cli");
        String admin = cli.profileFor(tenant, "tenant-admin").toString();
        assertUsage(run("tenant"));
        assertUsage(run("tenant", "create", "--profile", platformAdmin));
        assertUsage(run("tenant", "list", "--tenant", tenant, "--profile", platformAdmin));
        assertUsage(run("tenant", "list", "-o", "yaml", "--profile", platformAdmin));
        assertUsage(run("service-account"));
        assertUsage(run("service-account", "create", "--profile", admin));
        assertUsage(run("service-account", "delete", "--profile", admin));
        assertUsage(run("acl", "create", "--principal", "*", "--operation", "fly", "--resource-type", "topic",
                "--resource-name", "x", "--profile", admin));
        assertUsage(run("acl", "create", "--principal", "*", "--operation", "read", "--profile", admin));
        assertUsage(run("acl", "create", "--principal", "*", "--operation", "read", "--resource-type", "topic",
                "--resource-name", "x", "--permission", "maybe", "--profile", admin));
        assertUsage(run("quota", "set", "--profile", admin));
        assertUsage(run("quota", "set", "--topics", "many", "--profile", admin));
        assertUsage(run("identity-pool", "create", "corp", "--profile", admin));
        assertUsage(run("identity-pool", "create", "corp", "--issuer", "https://idp.example", "--audience", "t",
                "--admin-value", "x", "--profile", admin));
        assertUsage(run("group", "reset-offsets", "g", "--profile", admin));
        assertUsage(run("group", "reset-offsets", "g", "--to-earliest", "--to-latest", "--profile", admin));
        assertUsage(run("group", "reset-offsets", "g", "--to-datetime", "yesterday", "--profile", admin));
        Result suggestion = run("service-acount", "list", "--profile", admin);
        assertUsage(suggestion);
        assertTrue(suggestion.err().contains("service-account"), suggestion.toString());
        // Nothing above reached the server: the tenant has only its administrator.
        assertEquals(2, run("service-account", "list", "--profile", admin).out().lines().count());
    }
}
