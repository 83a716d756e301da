package dev.tributary.server.testing;

import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.dataplane.DataPlaneConfig;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.server.tls.DevelopmentTls;
import dev.tributary.storage.KeyValueStore;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Extra data-plane pods next to the server under test, in the same JVM and over the same store:
 * each a {@link DataPlaneListener} on its own loopback port, with the server's TLS certificate
 * (generated in its data directory) and a bearer-token verifier over the server's signing keys.
 * Together with the server's own data plane they are separate pods of partition ownership, as
 * separate processes over one FoundationDB cluster would be.
 */
public final class DataPlanePods implements AutoCloseable {
    private final KeyValueStore store;
    private final DataPlaneConfig config;
    private final ServerCredentials tls;
    private final BearerTokenVerifier verifier;
    private final List<DataPlaneListener> started = new ArrayList<>();

    /**
     * @param dataDir the server's data directory (its {@code tls/} holds the certificate and key)
     * @param config the pods' {@code tributary.data-plane.*}, see {@link #config}
     */
    public DataPlanePods(KeyValueStore store, Path dataDir, DataPlaneConfig config, BearerTokenVerifier verifier) {
        this.store = store;
        this.config = config;
        this.verifier = verifier;
        Path tlsDir = dataDir.resolve("tls");
        try {
            this.tls = TlsServerCredentials.create(tlsDir.resolve(DevelopmentTls.SERVER_CERT).toFile(),
                    tlsDir.resolve(DevelopmentTls.SERVER_KEY).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code tributary.data-plane.*} from these properties over the defaults, through the same
     * mapping (and so the same defaults, checks and duration syntax, such as {@code 500ms}) as the
     * server's configuration.
     */
    public static DataPlaneConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(DataPlaneConfig.class)
                .withSources(new PropertiesConfigSource(properties, "data-plane-pods", 500))
                .build();
        return config.getConfigMapping(DataPlaneConfig.class);
    }

    /** Starts a pod named {@code prefix-<random>} on a free loopback port. */
    public synchronized DataPlaneListener start(String prefix) {
        String nodeId = TestClient.uniqueId(prefix);
        DataPlaneListener pod = DataPlaneListener.start(store, config, nodeId,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tls, verifier);
        started.add(pod);
        return pod;
    }

    /** Stops every pod still running, gracefully (halted ones stay halted). */
    @Override
    public synchronized void close() {
        for (DataPlaneListener pod : started) {
            pod.stop();
        }
    }
}
