package dev.tributary.storage;

import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.storage.embedded.EmbeddedStoreOptions;
import dev.tributary.storage.foundationdb.FoundationDbStore;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which backend to open and how: the one place that turns configuration ({@code
 * tributary.storage.*}) into a {@link KeyValueStore}.
 *
 * @param backend {@code embedded} (default) or {@code foundationdb}
 * @param embeddedPath data directory of the embedded store
 * @param embeddedOptions options of the embedded store
 * @param clusterFile FoundationDB cluster file; null for the client library's default
 */
public record StoreConfig(String backend, Path embeddedPath, EmbeddedStoreOptions embeddedOptions, String clusterFile) {
    public static final String EMBEDDED = "embedded";
    public static final String FOUNDATIONDB = "foundationdb";

    public static StoreConfig embedded(Path path) {
        return new StoreConfig(EMBEDDED, path, EmbeddedStoreOptions.DEFAULTS, null);
    }

    public static StoreConfig foundationDb(String clusterFile) {
        return new StoreConfig(FOUNDATIONDB, null, null, clusterFile);
    }

    public KeyValueStore open() {
        return switch (backend.toLowerCase(Locale.ROOT)) {
            case EMBEDDED -> EmbeddedStore.open(embeddedPath,
                    embeddedOptions == null ? EmbeddedStoreOptions.DEFAULTS : embeddedOptions);
            case FOUNDATIONDB -> FoundationDbStore.open(clusterFile);
            default -> throw new IllegalArgumentException(
                    "tributary.storage.backend must be 'embedded' or 'foundationdb', not '" + backend + "'");
        };
    }
}
