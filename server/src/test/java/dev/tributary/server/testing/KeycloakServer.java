package dev.tributary.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.identitypool.IssuerTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A real Keycloak server for tests: the distribution Maven unpacked into {@code target/keycloak}
 * (the server module's {@code keycloak} profile), run as a child process on 127.0.0.1 with HTTPS
 * only, on a free port, with a certificate of a CA the test made, a realm imported from a test
 * resource, the dev-file database, and nothing else (no health, no metrics, a local cache).
 *
 * <p>Keycloak needs a JDK 21 or newer ({@link #findJava}); the server is built once per
 * distribution directory ({@code kc.sh build}, the slow part) and then started with {@code
 * --optimized}. Its database is kept between runs while the realm file is unchanged, so that a
 * second run skips the schema creation and the import. Its output goes to {@code keycloak.log} in
 * the work directory; {@link #close()} kills the whole process tree.
 */
public final class KeycloakServer implements AutoCloseable {
    /** Longest wait for {@code kc.sh build}, and again for the server to answer. */
    public static final Duration STEP_TIMEOUT = Duration.ofSeconds(240);
    /** Build options: what a start with {@code --optimized} must have been built with. */
    private static final List<String> BUILD_OPTIONS = List.of("--db=dev-file", "--cache=local", "--health-enabled=false",
            "--metrics-enabled=false");
    /** C1 only: Keycloak is started for a minute of light work, so the optimizing compiler would only cost CPU. */
    private static final String JAVA_OPTS_APPEND = "-XX:TieredStopAtLevel=1";

    private final Process process;
    private final String baseUrl;
    private final String realm;
    private final HttpClient http;
    private final Path log;
    private final Duration buildTime;
    private final Thread shutdownHook;
    private Duration startTime;

    private KeycloakServer(Process process, String baseUrl, String realm, HttpClient http, Path log, Duration buildTime,
            Thread shutdownHook) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.realm = realm;
        this.http = http;
        this.log = log;
        this.buildTime = buildTime;
        this.shutdownHook = shutdownHook;
    }

    /**
     * A JDK that can run Keycloak (21 or newer): {@code KEYCLOAK_JAVA_HOME}, the Temurin 25 JDK of the
     * development machines, this JVM, {@code JAVA_HOME}, then any JDK under /usr/lib/jvm.
     */
    public static Optional<Path> findJava() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("KEYCLOAK_JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
        candidates.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            jvms.sorted(Comparator.reverseOrder()).forEach(candidates::add);
        } catch (IOException e) {
            // no /usr/lib/jvm: the candidates above are all there is
        }
        return candidates.stream().filter(home -> Files.isExecutable(home.resolve("bin/java")) && majorVersion(home) >= 21).findFirst();
    }

    /** The major version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}); 0 if unknown. */
    static int majorVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String major = version.startsWith("1.") ? version.substring(2) : version;
                    int end = 0;
                    while (end < major.length() && Character.isDigit(major.charAt(end))) {
                        end++;
                    }
                    return end == 0 ? 0 : Integer.parseInt(major.substring(0, end));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /**
     * Builds (if needed) and starts Keycloak with the realm in the test resource {@code realmResource},
     * and waits until the realm's discovery document is served.
     *
     * @param home the unpacked distribution
     * @param work where the certificate, the logs and the realm file go
     * @param javaHome a JDK 21 or newer ({@link #findJava})
     * @param tls the server certificate (for localhost and 127.0.0.1) and its key
     */
    public static KeycloakServer start(Path home, Path work, Path javaHome, String realmResource, TestCertificates.Issued tls)
            throws Exception {
        Files.createDirectories(work);
        Path log = work.resolve("keycloak.log");
        byte[] realmJson;
        try (InputStream in = KeycloakServer.class.getResourceAsStream(realmResource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + realmResource);
            }
            realmJson = in.readAllBytes();
        }
        String realm = TestClient.JSON.readTree(realmJson).get("realm").asText();

        long buildStarted = System.nanoTime();
        build(home, work, javaHome);
        Duration buildTime = Duration.ofNanos(System.nanoTime() - buildStarted);

        prepareData(home, realmJson);
        Path certificate = work.resolve("keycloak.pem");
        Path key = work.resolve("keycloak-key.pem");
        Files.writeString(certificate, tls.chainPem());
        Files.writeString(key, tls.privateKeyPem());
        int port = freePort();
        String baseUrl = "https://localhost:" + port;
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                "--http-enabled=false", "--http-host=127.0.0.1", "--https-port=" + port, "--hostname=" + baseUrl,
                "--https-certificate-file=" + certificate, "--https-certificate-key-file=" + key, "--import-realm"));
        long started = System.nanoTime();
        Process process = launch(command, home, javaHome, log);
        Thread hook = new Thread(() -> kill(process), "keycloak-killer");
        Runtime.getRuntime().addShutdownHook(hook);

        SSLContext trust = IssuerTrust.sslContext(tls.caPem());
        HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        KeycloakServer server = new KeycloakServer(process, baseUrl, realm, http, log, buildTime, hook);
        try {
            server.awaitRealm(started);
        } catch (Exception | AssertionError e) {
            server.close();
            throw e;
        }
        server.startTime = Duration.ofNanos(System.nanoTime() - started);
        return server;
    }

    /** {@code kc.sh build} with {@link #BUILD_OPTIONS}, unless this distribution was built with them already. */
    private static void build(Path home, Path work, Path javaHome) throws Exception {
        Path marker = home.resolve(".tributary-build");
        String wanted = String.join(" ", BUILD_OPTIONS);
        if (Files.exists(marker) && Files.readString(marker).equals(wanted)) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "build"));
        command.addAll(BUILD_OPTIONS);
        Path buildLog = work.resolve("keycloak-build.log");
        Process build = launch(command, home, javaHome, buildLog);
        try {
            if (!build.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("kc.sh build did not finish within " + STEP_TIMEOUT.toSeconds() + " s; see " + buildLog);
            }
            if (build.exitValue() != 0) {
                throw new AssertionError("kc.sh build failed (exit " + build.exitValue() + "):\n" + tail(buildLog));
            }
        } finally {
            kill(build);
        }
        Files.writeString(marker, wanted);
    }

    /**
     * The realm file in {@code data/import}; the database of an earlier run is kept only if it was
     * made from this very realm file (Keycloak imports a realm once and ignores the file afterwards).
     */
    private static void prepareData(Path home, byte[] realmJson) throws Exception {
        Path data = home.resolve("data");
        Path marker = data.resolve(".tributary-realm");
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(realmJson));
        if (!Files.exists(marker) || !Files.readString(marker).equals(digest)) {
            deleteTree(data);
        }
        Files.createDirectories(data.resolve("import"));
        Files.write(data.resolve("import/realm.json"), realmJson);
        Files.writeString(marker, digest);
    }

    private static Process launch(List<String> command, Path home, Path javaHome, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_HOME", javaHome.toString());
        env.put("JAVA", javaHome.resolve("bin/java").toString());
        env.remove("JAVA_OPTS");
        env.put("JAVA_OPTS_APPEND", JAVA_OPTS_APPEND);
        return builder.start();
    }

    /** Polls the realm's discovery document until it is served, Keycloak exits, or {@link #STEP_TIMEOUT} passes. */
    private void awaitRealm(long startedNanos) throws Exception {
        long deadline = startedNanos + STEP_TIMEOUT.toNanos();
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Keycloak exited with " + process.exitValue() + " before it served realm " + realm + ":\n"
                        + tail(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Keycloak did not serve realm " + realm + " within " + STEP_TIMEOUT.toSeconds() + " s; see " + log
                + ":\n" + tail(log));
    }

    /** The realm's issuer: {@code https://localhost:PORT/realms/REALM}, the {@code iss} of its tokens. */
    public String issuer() {
        return baseUrl + "/realms/" + realm;
    }

    public Path log() {
        return log;
    }

    /** How long {@code kc.sh build} took (near zero when the distribution was built by an earlier run). */
    public Duration buildTime() {
        return buildTime;
    }

    /** How long the start took, until the realm was served. */
    public Duration startTime() {
        return startTime;
    }

    /** An access token of confidential client {@code clientId} (client credentials grant). */
    public String clientCredentialsToken(String clientId, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Basic " + basic)
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("Keycloak token request for " + clientId + " failed: " + response.statusCode() + " " + response.body());
        }
        JsonNode body = TestClient.JSON.readTree(response.body());
        return body.get("access_token").asText();
    }

    /** Stops Keycloak: the whole process tree, gracefully for a while, then forcibly. */
    @Override
    public void close() {
        kill(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and runs the hook anyway
        }
    }

    private static void kill(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
