package dev.tributary.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.cli.TributaryCli;
import dev.tributary.server.testing.TestClient;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
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

    CliRunner(TestClient rest, String platformAdminToken, int port, Path caFile, Path dir) {
        this.rest = rest;
        this.platformAdminToken = platformAdminToken;
        this.port = port;
        this.caFile = caFile;
        this.dir = dir;
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

    /** Removes a test's directory of profile files (they hold client secrets). */
    static void deleteRecursively(Path root) throws java.io.IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    String newTenant(String prefix) throws Exception {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = rest.postJson("/v1/tenants", platformAdminToken, "{\"id\":\"" + id + "\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("tenant not created: " + created.body());
        }
        return id;
    }

    /** A new service account of {@code tenant} with {@code role}, written as a profile file like the one standalone writes. */
    Path profileFor(String tenant, String role) throws Exception {
        HttpResponse<String> created = rest.postJson("/v1/tenants/" + tenant + "/service-accounts", platformAdminToken,
                "{\"name\":\"" + role + "-" + UUID.randomUUID().toString().substring(0, 4) + "\",\"role\":\"" + role + "\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("account not created: " + created.body());
        }
        JsonNode account = TestClient.json(created);
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
