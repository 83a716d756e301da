package dev.tributary.server.testing;

import dev.tributary.server.startup.ServerPreparation;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts the server under test the way TributaryMain does: the same preparation of a (temporary)
 * data directory and TLS files, handed to Quarkus as configuration. Port 0: a free port.
 */
public class TributaryTestServer implements QuarkusTestResourceLifecycleManager {
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("tributary-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(ServerPreparation.prepare(dataDir, Clock.systemUTC()).quarkusProperties());
        config.put("quarkus.http.test-ssl-port", "0");
        return config;
    }

    @Override
    public void stop() {
        if (dataDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not worth failing the build for
        }
    }
}
