package dev.tributary.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.cli.TributaryCli;
import dev.tributary.server.testing.TestClient;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Runs CLI command lines in-process, as {@code bin/tributary} would run them, against the test
 * server: stdin given, stdout, stderr and the exit status captured. Connects with profile files
 * written here for service accounts created over REST.
 */
final class CliRunner {
    /** What one command line did. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final TestClient rest;
    private final String platformAdminToken;
    private final int port;
    private final Path caFile;
    private final Path dir;

    private CliRunner(TestClient rest, String platformAdminToken, int port, Path caFile, Path dir) {
        this.rest = rest;
        this.platformAdminToken = platformAdminToken;
        this.port = port;
        this.caFile = caFile;
        this.dir = dir;
    }

    /**
     * A runner against the server under test ({@code root}: its TLS URL, {@code dataDir}: where it
     * keeps its CA and the platform administrator's profile), writing profile files into a new
     * temporary directory (@TempDir does not reach a @QuarkusTest's instance) that {@link
     * #deleteProfiles} removes.
     */
    static CliRunner connect(URL root, Path dataDir) throws Exception {
        TestClient rest = TestClient.forServer(root, dataDir);
        String platformAdminToken = rest.adminToken(dataDir);
        return new CliRunner(rest, platformAdminToken, root.getPort(), rest.caFile(),
                Files.createTempDirectory("tributary-cli-test-"));
    }

    /** The directory of this runner's profile files. */
    Path profileDir() {
        return dir;
    }

    static Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TributaryCli.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
                new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return runWithStdin("", args);
    }

    /** Removes the directory of profile files (they hold client secrets). */
    void deleteProfiles() throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    String newTenant(String prefix) throws Exception {
        String id = TestClient.uniqueId(prefix);
        rest.createTenant(platformAdminToken, id);
        return id;
    }

    /** A new service account of {@code tenant} with {@code role}, written as a profile file like the one standalone writes. */
    Path profileFor(String tenant, String role) throws Exception {
        JsonNode account = rest.createServiceAccount(platformAdminToken, tenant,
                role + "-" + UUID.randomUUID().toString().substring(0, 4), role);
        Path file = dir.resolve(tenant + "-" + role + "-" + account.get("clientId").asText() + ".properties");
        Files.writeString(file, String.join("\n",
                "tributary.endpoint=https://localhost:" + port,
                "tributary.tls.ca-file=" + caFile.toAbsolutePath(),
                "tributary.auth.client-id=" + account.get("clientId").asText(),
                "tributary.auth.client-secret=" + account.get("clientSecret").asText(),
                "tributary.auth.token-url=https://localhost:" + port + "/oauth2/token",
                ""));
        return file;
    }
}
