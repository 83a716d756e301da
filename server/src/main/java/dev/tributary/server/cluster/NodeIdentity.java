package dev.tributary.server.cluster;

import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.files.PrivateFiles;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * Who this node is: {@code tributary.node-id} if configured, otherwise an id generated on first
 * start and kept in {@code DATA_DIR/node-id} so that it survives restarts; and when this process
 * started.
 */
@Singleton
public class NodeIdentity {
    static final String NODE_ID_FILE = "node-id";

    private final String nodeId;
    private final Instant startTime = Instant.now();

    NodeIdentity(TributaryConfig config) {
        this.nodeId = config.nodeId().filter(id -> !id.isBlank())
                .orElseGet(() -> loadOrCreate(config.dataDir().toAbsolutePath().resolve(NODE_ID_FILE)));
    }

    public String nodeId() {
        return nodeId;
    }

    public Instant startTime() {
        return startTime;
    }

    static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (id.isEmpty()) {
                    throw new IllegalStateException(file + " is empty; delete it to generate a new node id");
                }
                return id;
            }
            String id = UUID.randomUUID().toString();
            PrivateFiles.writeAtomically(file, (id + "\n").getBytes(StandardCharsets.UTF_8), false);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
