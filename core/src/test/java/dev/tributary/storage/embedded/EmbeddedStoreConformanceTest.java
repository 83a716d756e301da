package dev.tributary.storage.embedded;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.KeyValueStoreConformanceTest;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The shared SPI contract against the embedded RocksDB store (default options: fsync on commit). */
class EmbeddedStoreConformanceTest extends KeyValueStoreConformanceTest {

    @TempDir
    static Path dir;

    // One store for the class, like a shared FoundationDB cluster: tests are isolated by key prefix.
    private static EmbeddedStore store;

    @BeforeAll
    static void openStore() {
        store = EmbeddedStore.open(dir.resolve("store"));
    }

    @AfterAll
    static void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected KeyValueStore store() {
        return store;
    }

    @Override
    protected KeyValueStore openDisposableStore() {
        return EmbeddedStore.open(dir.resolve("disposable-" + UUID.randomUUID()));
    }
}
