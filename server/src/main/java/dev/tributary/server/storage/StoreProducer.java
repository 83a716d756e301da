package dev.tributary.server.storage;

import dev.tributary.server.config.TributaryConfig;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StoreConfig;
import dev.tributary.storage.embedded.EmbeddedStoreOptions;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Opens the one store of this process from {@code tributary.storage.*} and closes it on shutdown. */
@Singleton
public class StoreProducer {
    private static final Logger LOG = Logger.getLogger(StoreProducer.class);
    public static final String STORE_DIR = "store";

    @Produces
    @Singleton
    KeyValueStore store(TributaryConfig config) {
        StoreConfig storeConfig = storeConfig(config);
        KeyValueStore store = storeConfig.open();
        LOG.infof("Opened the %s store %s", store.backendName(), describe(storeConfig));
        return store;
    }

    void close(@Disposes KeyValueStore store) {
        store.close();
        LOG.infof("Closed the %s store", store.backendName());
    }

    /** Opens the store at startup, so that a locked or damaged data directory stops the server before it listens. */
    void openEagerly(@Observes StartupEvent event, KeyValueStore store) {
        store.backendName();
    }

    public static StoreConfig storeConfig(TributaryConfig config) {
        TributaryConfig.Storage storage = config.storage();
        Path embeddedPath = embeddedPath(config);
        EmbeddedStoreOptions options = EmbeddedStoreOptions.DEFAULTS.withSyncCommits(storage.embedded().syncCommits());
        return new StoreConfig(storage.backend().configName(), embeddedPath, options,
                storage.foundationDb().clusterFile().orElse(null));
    }

    public static Path embeddedPath(TributaryConfig config) {
        return config.dataDir().toAbsolutePath().normalize().resolve(STORE_DIR);
    }

    /** Where the store lives, for the log and the startup banner. */
    public static String describe(StoreConfig storeConfig) {
        if (StoreConfig.FOUNDATIONDB.equals(storeConfig.backend())) {
            return "(cluster file " + (storeConfig.clusterFile() == null ? "default" : storeConfig.clusterFile()) + ")";
        }
        return "(" + storeConfig.embeddedPath() + ", "
                + (storeConfig.embeddedOptions().syncCommits() ? "fsync on commit" : "no fsync on commit: not power-loss safe")
                + ")";
    }
}
