package dev.tributary.storage.embedded;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.StorageLimits;
import dev.tributary.storage.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded backend: RocksDB in one data directory, with FoundationDB's transaction model built
 * on top.
 *
 * <ul>
 *   <li><b>Reads</b> run at a read version: a RocksDB snapshot published after each group commit, so
 *       a transaction sees exactly the commits up to its version.
 *   <li><b>Commits</b> go to one committer thread, which checks each transaction's read conflict
 *       ranges against what committed after its read version ({@link ConflictTracker}), writes the
 *       survivors' batches to RocksDB in order, then fsyncs the write-ahead log once for the whole
 *       group (group commit) before acknowledging any of them and publishing the new read version.
 *   <li><b>Durability</b>: nothing is acknowledged before the WAL sync; RocksDB recovers the WAL up
 *       to the last intact record, and each transaction is one atomic WAL record.
 * </ul>
 */
public final class EmbeddedStore implements KeyValueStore {
    /** Marker file that says "this directory is a Tributary store" and holds its format version. */
    public static final String MARKER_FILE = "TRIBUTARY-STORE";
    static final int FORMAT_VERSION = 1;
    /** The last commit version, written in every transaction's batch so it survives any crash point. */
    static final byte[] VERSION_KEY = "\u00ff/tributary/commit-version".getBytes(StandardCharsets.ISO_8859_1);

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final EmbeddedStoreOptions options;
    private final RocksDB db;
    private final Options rocksOptions;
    private final LRUCache blockCache;
    private final WriteOptions unsyncedWrite;
    private final LinkedBlockingQueue<CommitRequest> commitQueue = new LinkedBlockingQueue<>();
    private final Thread committer;
    /** Completes commit and watch futures off the committer thread, so callbacks never stall commits. */
    private final ExecutorService notifier;
    private final ConflictTracker conflicts = new ConflictTracker(StorageLimits.MAX_TRANSACTION_AGE_MILLIS + 1_000);
    private final WatchRegistry watches = new WatchRegistry();
    /** Readers hold the read lock while they touch native objects; close takes the write lock. */
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final Set<ReadView> liveViews = ConcurrentHashMap.newKeySet();
    private volatile ReadView currentView;
    private volatile boolean closed;
    private volatile StorageException failure;
    private long lastVersion;

    final LongAdder commits = new LongAdder();
    final LongAdder conflictsSeen = new LongAdder();
    final LongAdder groups = new LongAdder();

    private EmbeddedStore(Path directory, EmbeddedStoreOptions options, RocksDB db, Options rocksOptions, LRUCache cache) {
        this.directory = directory;
        this.options = options;
        this.db = db;
        this.rocksOptions = rocksOptions;
        this.blockCache = cache;
        this.unsyncedWrite = new WriteOptions().setSync(false);
        this.lastVersion = readPersistedVersion();
        this.currentView = newView(lastVersion);
        this.notifier = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tributary-store-notifier");
            t.setDaemon(true);
            return t;
        });
        this.committer = new Thread(this::commitLoop, "tributary-store-committer");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    public static EmbeddedStore open(Path dataDir) {
        return open(dataDir, EmbeddedStoreOptions.DEFAULTS);
    }

    /**
     * Opens (or creates) the store in {@code dataDir}. Fails with STORE_INCOMPATIBLE for a non-empty
     * directory that is not a Tributary store, STORE_LOCKED when another process or open store holds
     * it, STORE_CORRUPTED when RocksDB finds it damaged. A failed open changes nothing on disk.
     */
    public static EmbeddedStore open(Path dataDir, EmbeddedStoreOptions options) {
        Path dir = dataDir.toAbsolutePath().normalize();
        boolean fresh = prepareDirectory(dir);
        LRUCache cache = new LRUCache(Math.max(options.blockCacheBytes(), 1L << 20));
        Options rocks = new Options()
                .setCreateIfMissing(fresh)
                .setParanoidChecks(true)
                .setMaxBackgroundJobs(2)
                .setWriteBufferSize(64L * 1024 * 1024)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        try {
            RocksDB db = RocksDB.open(rocks, dir.toString());
            return new EmbeddedStore(dir, options, db, rocks, cache);
        } catch (RocksDBException e) {
            rocks.close();
            cache.close();
            throw classifyOpenFailure(dir, e);
        }
    }

    /**
     * Returns true when RocksDB should create its database: a new, empty directory (the marker is
     * written first, so a crash during creation leaves a directory that a later open completes), or
     * a marked directory whose creation was interrupted before RocksDB wrote any data.
     */
    private static boolean prepareDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Path marker = dir.resolve(MARKER_FILE);
            if (Files.exists(marker)) {
                String content = Files.readString(marker, StandardCharsets.UTF_8).trim();
                if (!content.equals("format=" + FORMAT_VERSION)) {
                    throw new StorageException(StorageErrorCode.STORE_INCOMPATIBLE,
                            dir + " holds a Tributary store of an unsupported format (" + content
                                    + "); this version reads format=" + FORMAT_VERSION);
                }
                if (Files.exists(dir.resolve("CURRENT"))) {
                    return false;
                }
                // No CURRENT: either creation was interrupted (nothing was ever committed), or the
                // store lost it. Data files (tables, WALs) tell them apart; never recreate over data.
                try (Stream<Path> entries = Files.list(dir)) {
                    List<String> dataFiles = entries.map(e -> e.getFileName().toString())
                            .filter(n -> n.endsWith(".sst") || (n.endsWith(".log") && !n.startsWith("LOG")))
                            .toList();
                    if (!dataFiles.isEmpty()) {
                        throw new StorageException(StorageErrorCode.STORE_CORRUPTED, dir
                                + " has data files " + dataFiles + " but no CURRENT file; it was left untouched");
                    }
                }
                return true;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new StorageException(StorageErrorCode.STORE_INCOMPATIBLE,
                            dir + " is not empty and is not a Tributary store (no " + MARKER_FILE
                                    + " file); refusing to write into it");
                }
            }
            writeMarker(dir);
            return true;
        } catch (IOException e) {
            throw new StorageException(StorageErrorCode.STORE_IO_ERROR, "cannot prepare data directory " + dir, e);
        }
    }

    private static void writeMarker(Path dir) {
        try {
            // Durable before RocksDB creates anything: files without a marker would read as foreign.
            Path tmp = dir.resolve(MARKER_FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(("format=" + FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(MARKER_FILE), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(MARKER_FILE), StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new StorageException(StorageErrorCode.STORE_IO_ERROR, "cannot write " + MARKER_FILE + " in " + dir, e);
        }
    }

    private static StorageException classifyOpenFailure(Path dir, RocksDBException e) {
        String msg = String.valueOf(e.getMessage());
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        if (code == Status.Code.IOError && (msg.contains("lock") || msg.contains("LOCK"))) {
            return new StorageException(StorageErrorCode.STORE_LOCKED,
                    dir + " is in use by another process or another open store (" + msg + ")", e);
        }
        return new StorageException(StorageErrorCode.STORE_CORRUPTED,
                dir + " is a Tributary store that cannot be opened; it was left untouched (" + msg + ")", e);
    }

    private long readPersistedVersion() {
        try {
            byte[] v = db.get(VERSION_KEY);
            return v == null ? 0 : ByteBuffer.wrap(v).getLong();
        } catch (RocksDBException e) {
            throw translate(e, "reading the commit version");
        }
    }

    @Override
    public Transaction createTransaction() {
        checkOpen();
        return new EmbeddedTransaction(this);
    }

    @Override
    public String backendName() {
        return "embedded";
    }

    public Path directory() {
        return directory;
    }

    public EmbeddedStoreOptions options() {
        return options;
    }

    /** Counters for metrics: committed transactions, conflicts, group commits (fsyncs). */
    public Stats stats() {
        return new Stats(commits.sum(), conflictsSeen.sum(), groups.sum(), lastCommittedVersion());
    }

    public record Stats(long commits, long conflicts, long groupCommits, long committedVersion) {}

    long lastCommittedVersion() {
        return currentView.version;
    }

    RocksDB db() {
        return db;
    }

    // ---------------------------------------------------------------- read views

    /** A published read version: the RocksDB snapshot taken right after the group commit that made it. */
    final class ReadView {
        final long version;
        final Snapshot snapshot;
        private final AtomicInteger refs = new AtomicInteger(1);

        ReadView(long version, Snapshot snapshot) {
            this.version = version;
            this.snapshot = snapshot;
        }

        boolean retain() {
            for (;;) {
                int r = refs.get();
                if (r == 0) {
                    return false;
                }
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0 && liveViews.remove(this)) {
                closeLock.readLock().lock();
                try {
                    if (!closed) {
                        db.releaseSnapshot(snapshot);
                    }
                } finally {
                    closeLock.readLock().unlock();
                }
            }
        }
    }

    private ReadView newView(long version) {
        ReadView view = new ReadView(version, db.getSnapshot());
        liveViews.add(view);
        return view;
    }

    /** The newest read view, retained for the caller (who must release it). */
    ReadView acquireView() {
        for (;;) {
            checkOpen();
            ReadView v = currentView;
            if (v.retain()) {
                return v;
            }
        }
    }

    /** Runs {@code action} while the store cannot close underneath it. */
    <T> T whileOpen(java.util.function.Supplier<T> action) {
        closeLock.readLock().lock();
        try {
            checkOpen();
            return action.get();
        } finally {
            closeLock.readLock().unlock();
        }
    }

    void checkOpen() {
        if (closed) {
            throw new StorageException(StorageErrorCode.STORE_CLOSED, "the store at " + directory + " is closed");
        }
        StorageException f = failure;
        if (f != null) {
            throw new StorageException(f.code(), "the store at " + directory + " stopped after a disk failure: "
                    + f.getMessage(), f);
        }
    }

    // ---------------------------------------------------------------- commits

    /** A transaction's commit, as the committer sees it. */
    static final class CommitRequest {
        final EmbeddedTransaction tx;
        /** Captured at submit: the transaction may be closed (its view released) while the commit is queued. */
        final long readVersion;
        final long readNanos;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long version;
        byte[] versionstamp;
        StorageException error;

        CommitRequest(EmbeddedTransaction tx, long readVersion, long readNanos) {
            this.tx = tx;
            this.readVersion = readVersion;
            this.readNanos = readNanos;
        }

        boolean isTooOld(long nowNanos) {
            return readVersion != Long.MAX_VALUE
                    && nowNanos - readNanos > StorageLimits.MAX_TRANSACTION_AGE_MILLIS * 1_000_000L;
        }
    }

    CompletableFuture<Void> submit(CommitRequest request) {
        checkOpen();
        commitQueue.add(request);
        if (closed) {
            // close() may have drained the queue just before our add; make sure nobody waits forever.
            failPending();
        }
        return request.done;
    }

    private void commitLoop() {
        List<CommitRequest> batch = new ArrayList<>();
        while (!closed) {
            try {
                CommitRequest first = commitQueue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    conflicts.prune(System.nanoTime());
                    continue;
                }
                batch.add(first);
                commitQueue.drainTo(batch, options.maxBatchTransactions() - 1);
                commitGroup(batch);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                StorageException f = e instanceof StorageException se ? se
                        : new StorageException(StorageErrorCode.STORE_IO_ERROR, "commit failed: " + e, e);
                failure = f;
                completeAll(batch, f);
                failPending();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void commitGroup(List<CommitRequest> batch) {
        long now = System.nanoTime();
        conflicts.prune(now);
        long version = lastVersion + 1;
        byte[] versionBytes = ByteBuffer.allocate(8).putLong(version).array();
        List<CommitRequest> committed = new ArrayList<>(batch.size());
        List<CommitRequest> rejected = new ArrayList<>();
        List<EmbeddedTransaction.AppliedWrites> applied = new ArrayList<>(batch.size());
        // One RocksDB batch (one JNI write, one WAL record) for the whole group, unless a transaction
        // has atomic mutations: those read the latest value, so earlier transactions of the group
        // must be in RocksDB before them.
        boolean shareBatch = batch.stream().noneMatch(r -> r.tx.hasAtomicMutations());
        try (WriteBatch groupBatch = shareBatch ? new WriteBatch() : null) {
            for (CommitRequest req : batch) {
                if (resolve(req, now)) {
                    int order = committed.size();
                    req.version = version;
                    req.versionstamp = ByteBuffer.allocate(StorageLimits.VERSIONSTAMP_BYTES)
                            .putLong(version).putShort((short) order).array();
                    EmbeddedTransaction.AppliedWrites writes;
                    if (shareBatch) {
                        writes = req.tx.applyTo(groupBatch, req.versionstamp);
                    } else {
                        try (WriteBatch wb = new WriteBatch()) {
                            writes = req.tx.applyTo(wb, req.versionstamp);
                            wb.put(VERSION_KEY, versionBytes);
                            db.write(unsyncedWrite, wb);
                        }
                    }
                    conflicts.record(version, writes.pointKeys(), writes.ranges(), now);
                    applied.add(writes);
                    committed.add(req);
                } else {
                    rejected.add(req);
                }
            }
            if (shareBatch && !committed.isEmpty()) {
                groupBatch.put(VERSION_KEY, versionBytes);
                db.write(unsyncedWrite, groupBatch);
            }
        } catch (RocksDBException e) {
            throw translate(e, "writing a commit");
        }
        publish(version, committed, rejected, applied);
    }

    /** Whether the request may commit: young enough and free of conflicts. Sets its error otherwise. */
    private boolean resolve(CommitRequest req, long now) {
        if (req.isTooOld(now)) {
            req.error = new StorageException(StorageErrorCode.TRANSACTION_TOO_OLD,
                    "the transaction's read version " + req.readVersion + " is more than "
                            + StorageLimits.MAX_TRANSACTION_AGE_MILLIS + " ms old at commit");
            return false;
        }
        if (conflicts.conflicts(req.readVersion, req.tx.readConflicts())) {
            conflictsSeen.increment();
            req.error = new StorageException(StorageErrorCode.NOT_COMMITTED,
                    "a key this transaction read was changed by a transaction that committed after its read version "
                            + req.readVersion);
            return false;
        }
        return true;
    }

    /** After the group is written: one fsync, then the new read version, then acknowledgements. */
    private void publish(long version, List<CommitRequest> committed, List<CommitRequest> rejected,
            List<EmbeddedTransaction.AppliedWrites> applied) {
        if (!committed.isEmpty()) {
            if (options.syncCommits()) {
                try {
                    db.syncWal();
                } catch (RocksDBException e) {
                    throw translate(e, "syncing the write-ahead log");
                }
            }
            lastVersion = version;
            ReadView previous = currentView;
            currentView = newView(version);
            previous.release();
            groups.increment();
            commits.add(committed.size());
            List<CompletableFuture<Void>> fired = watches.isEmpty() ? List.of() : watches.collectChanged(applied, this::latestValue);
            notifier.execute(() -> {
                for (CommitRequest req : committed) {
                    req.tx.committed(req.version, req.versionstamp);
                    req.done.complete(null);
                }
                fired.forEach(f -> f.complete(null));
            });
        }
        if (!rejected.isEmpty()) {
            notifier.execute(() -> rejected.forEach(r -> {
                r.tx.commitFailed(r.error);
                r.done.completeExceptionally(r.error);
            }));
        }
    }

    /** The latest value of a key, including unsynced writes of the group being committed; for watches. */
    byte[] latestValue(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw translate(e, "reading a watched key");
        }
    }

    WatchRegistry watches() {
        return watches;
    }

    private void failPending() {
        List<CommitRequest> pending = new ArrayList<>();
        commitQueue.drainTo(pending);
        StorageException f = failure != null ? failure
                : new StorageException(StorageErrorCode.STORE_CLOSED, "the store at " + directory + " was closed before the commit");
        completeAll(pending, f);
    }

    private static void completeAll(List<CommitRequest> requests, StorageException error) {
        for (CommitRequest r : requests) {
            if (!r.done.isDone()) {
                r.tx.commitFailed(error);
                r.done.completeExceptionally(error);
            }
        }
    }

    StorageException translate(RocksDBException e, String what) {
        Status.Code code = e.getStatus() == null ? null : e.getStatus().getCode();
        StorageErrorCode mapped = code == Status.Code.Corruption ? StorageErrorCode.STORE_CORRUPTED : StorageErrorCode.STORE_IO_ERROR;
        return new StorageException(mapped, what + " in " + directory + ": " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closeLock.writeLock().unlock();
        }
        committer.interrupt();
        try {
            committer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending();
        watches.failAll(new StorageException(StorageErrorCode.STORE_CLOSED, "the store at " + directory + " was closed"));
        closeLock.writeLock().lock();
        try {
            // RocksDB refuses to close with unreleased snapshots; transactions still open fail with STORE_CLOSED.
            for (ReadView v : liveViews) {
                db.releaseSnapshot(v.snapshot);
            }
            liveViews.clear();
            try {
                db.syncWal();
            } catch (RocksDBException ignored) {
                // Everything acknowledged was synced already; this only covers nothing.
            }
            db.close();
            unsyncedWrite.close();
            rocksOptions.close();
            blockCache.close();
        } finally {
            closeLock.writeLock().unlock();
        }
        notifier.shutdown();
    }

    @Override
    public String toString() {
        return "EmbeddedStore[" + directory + ", version " + lastCommittedVersion() + "]";
    }

    static String describe(byte[] key) {
        return Keys.printable(key);
    }
}
