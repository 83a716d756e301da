package dev.tributary.storage.foundationdb;

import com.apple.foundationdb.Database;
import com.apple.foundationdb.FDB;
import com.apple.foundationdb.FDBException;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.StoreConfig;
import dev.tributary.storage.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The storage SPI on FoundationDB, through fdb-java: a thin adapter. FoundationDB provides the
 * isolation, durability, atomic mutations, versionstamps, watches and the 5-second rule itself; the
 * adapter only checks {@link dev.tributary.storage.StorageLimits} before delegating (so that errors
 * are the embedded backend's, raised at the same call), translates FDBException codes, and leaves
 * retries to the SPI's shared {@link dev.tributary.storage.TransactionRunner} rather than fdb-java's
 * {@code Database.run}, so that both backends retry alike.
 *
 * <p>Needs the native client library (libfdb_c 7.3) on the machine; opening without it fails with a
 * {@link StorageErrorCode#INTERNAL} StorageException that says so.
 */
public final class FoundationDbStore implements KeyValueStore {
    private final Database db;
    private final String clusterFile;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Outstanding watches, failed with STORE_CLOSED on close as the embedded store does. */
    private final Set<CompletableFuture<Void>> watches = ConcurrentHashMap.newKeySet();

    private FoundationDbStore(Database db, String clusterFile) {
        this.db = db;
        this.clusterFile = clusterFile;
    }

    /**
     * Opens the database described by {@code clusterFile}, or by the client library's default cluster
     * file (FDB_CLUSTER_FILE, ./fdb.cluster, /etc/foundationdb/fdb.cluster) when it is null. Like
     * FoundationDB itself, this does not wait for the cluster: an unreachable cluster shows as reads
     * and commits that do not complete.
     */
    public static FoundationDbStore open(String clusterFile) {
        FDB fdb = FdbClient.get();
        if (clusterFile != null && !Files.isReadable(Path.of(clusterFile))) {
            throw new StorageException(StorageErrorCode.INTERNAL,
                    "FoundationDB cluster file " + clusterFile + " does not exist or is not readable");
        }
        try {
            return new FoundationDbStore(fdb.open(clusterFile), clusterFile);
        } catch (FDBException e) {
            throw new StorageException(StorageErrorCode.INTERNAL, "cannot open the FoundationDB database of cluster file "
                    + describe(clusterFile) + ": FoundationDB error " + e.getCode() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Transaction createTransaction() {
        ensureOpen();
        try {
            return new FoundationDbTransaction(this, db.createTransaction());
        } catch (RuntimeException e) {
            throw FdbErrors.rethrow(e);
        }
    }

    @Override
    public String backendName() {
        return StoreConfig.FOUNDATIONDB;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (CompletableFuture<Void> w : watches) {
            w.completeExceptionally(closedError());
        }
        db.close();
    }

    @Override
    public String toString() {
        return "FoundationDbStore[" + describe(clusterFile) + "]";
    }

    void ensureOpen() {
        if (closed.get()) {
            throw closedError();
        }
    }

    /** Wraps a native watch: errors translated, tracked until it completes, cancelled natively when dropped. */
    CompletableFuture<Void> track(CompletableFuture<Void> nativeWatch) {
        CompletableFuture<Void> watch = FdbErrors.map(nativeWatch);
        watches.add(watch);
        watch.whenComplete((v, e) -> {
            watches.remove(watch);
            // Completed by close() or cancelled by the caller: release the native watch slot.
            nativeWatch.cancel(false);
        });
        if (closed.get()) {
            watch.completeExceptionally(closedError());
        }
        return watch;
    }

    private StorageException closedError() {
        return new StorageException(StorageErrorCode.STORE_CLOSED, "the FoundationDB store " + describe(clusterFile) + " is closed");
    }

    private static String describe(String clusterFile) {
        return clusterFile == null ? "(default cluster file)" : clusterFile;
    }
}
