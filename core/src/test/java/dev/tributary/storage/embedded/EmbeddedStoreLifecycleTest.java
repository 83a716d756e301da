package dev.tributary.storage.embedded;

import static dev.tributary.storage.StorageTestSupport.assertFailsWithin;
import static dev.tributary.storage.StorageTestSupport.assertStorageError;
import static dev.tributary.storage.StorageTestSupport.await;
import static dev.tributary.storage.StorageTestSupport.bytes;
import static dev.tributary.storage.StorageTestSupport.fromLe64;
import static dev.tributary.storage.StorageTestSupport.le64;
import static dev.tributary.storage.StorageTestSupport.packWithVersionstamp;
import static dev.tributary.storage.StorageTestSupport.runConcurrently;
import static dev.tributary.storage.StorageTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What only the embedded store has: a data directory, its lock, its format marker, its files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedStoreLifecycleTest {
    private static final Subspace S = new Subspace(Tuple.from("lifecycle"));

    @TempDir
    Path tmp;

    private static byte[] k(Object... parts) {
        return S.pack(Tuple.from(parts));
    }

    private static void put(EmbeddedStore store, byte[] key, byte[] value) {
        store.run(tx -> {
            tx.set(key, value);
            return null;
        });
    }

    private static byte[] get(EmbeddedStore store, byte[] key) {
        return store.read(tx -> await(tx.get(key)));
    }

    private static List<KeyValue> all(EmbeddedStore store) {
        return store.read(tx -> await(tx.getRange(S.range().begin, S.range().end)));
    }

    private static Map<String, String> describe(List<KeyValue> kvs) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : kvs) {
            out.put(Keys.printable(kv.key()), Keys.printable(kv.value()));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Durability and versions across reopen
    // ---------------------------------------------------------------------------------------------

    @Test
    void committedDataSurvivesCloseAndReopen() {
        Path dir = tmp.resolve("store");
        Map<String, String> expected;
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            for (int batch = 0; batch < 10; batch++) {
                int b = batch;
                store.run(tx -> {
                    for (int i = 0; i < 100; i++) {
                        tx.set(k("row", b * 100 + i), bytes("value " + (b * 100 + i)));
                    }
                    tx.mutate(MutationType.ADD, k("count"), le64(100));
                    return null;
                });
            }
            store.run(tx -> {
                tx.clear(k("row", 5));
                tx.clearRange(k("row", 500), k("row", 600));
                tx.mutate(MutationType.MAX, k("max"), le64(77));
                tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("stamp"), packWithVersionstamp(Tuple.from(Versionstamp.incomplete(0))));
                return null;
            });
            expected = describe(all(store));
        }
        assertEquals(1_000 - 1 - 100 + 3, expected.size());
        try (EmbeddedStore reopened = EmbeddedStore.open(dir)) {
            assertEquals(expected, describe(all(reopened)));
            assertEquals(1_000, fromLe64(get(reopened, k("count"))));
            assertNull(get(reopened, k("row", 550)));
            assertEquals("value 999", string(get(reopened, k("row", 999))));
        }
    }

    @Test
    void unsyncedCommitsSurviveACleanClose() {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir, EmbeddedStoreOptions.DEFAULTS.withSyncCommits(false))) {
            for (int i = 0; i < 50; i++) {
                put(store, k("unsynced", i), bytes("v" + i));
            }
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(dir)) {
            assertEquals(50, all(reopened).size());
        }
    }

    @Test
    void versionsAndVersionstampsKeepIncreasingAcrossReopen() {
        Path dir = tmp.resolve("store");
        byte[] lastStamp = null;
        long lastVersion = -1;
        for (int round = 0; round < 3; round++) {
            try (EmbeddedStore store = EmbeddedStore.open(dir)) {
                try (Transaction tx = store.createTransaction()) {
                    assertTrue(tx.getReadVersion() >= lastVersion, "read version went back after reopen");
                }
                for (int i = 0; i < 3; i++) {
                    try (Transaction tx = store.createTransaction()) {
                        tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                                packWithVersionstamp(S.subspace(Tuple.from("log")).getKey(), Tuple.from(Versionstamp.incomplete(0))),
                                bytes("round " + round));
                        CompletableFuture<byte[]> vs = tx.getVersionstamp();
                        await(tx.commit());
                        byte[] stamp = await(vs);
                        assertTrue(tx.getCommittedVersion() > lastVersion, "commit version went back after reopen");
                        assertEquals(tx.getCommittedVersion(), ByteBuffer.wrap(stamp, 0, 8).getLong());
                        if (lastStamp != null) {
                            assertTrue(Keys.compare(lastStamp, stamp) < 0, "versionstamp " + Keys.printable(stamp)
                                    + " is not after " + Keys.printable(lastStamp) + " (round " + round + ")");
                        }
                        lastStamp = stamp;
                        lastVersion = tx.getCommittedVersion();
                    }
                }
            }
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            Subspace log = S.subspace(Tuple.from("log"));
            List<KeyValue> entries = store.read(tx -> await(tx.getRange(log.range().begin, log.range().end)));
            assertEquals(List.of("round 0", "round 0", "round 0", "round 1", "round 1", "round 1", "round 2", "round 2", "round 2"),
                    entries.stream().map(kv -> string(kv.value())).collect(Collectors.toList()),
                    "the log in versionstamp order is the commit order");
        }
    }

    @Test
    void closeWithCommitsInFlightLosesNoAcknowledgedCommit() throws Exception {
        Path dir = tmp.resolve("store");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        EmbeddedStore store = EmbeddedStore.open(dir);
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                // close now
            }
            store.close();
        });
        closer.start();
        runConcurrently(8, 30, w -> {
            for (int i = 0; ; i++) {
                int n = i;
                try {
                    store.run(tx -> {
                        tx.set(k("w", w, n, "a"), bytes("x"));
                        tx.set(k("w", w, n, "b"), bytes("x"));
                        return null;
                    });
                    acknowledged.add(w + "/" + n);
                } catch (StorageException e) {
                    assertEquals(StorageErrorCode.STORE_CLOSED, e.code(), "a commit racing close fails only with STORE_CLOSED: " + e);
                    return;
                }
            }
        });
        closer.join();
        assertFalse(acknowledged.isEmpty());
        try (EmbeddedStore reopened = EmbeddedStore.open(dir)) {
            Map<String, Integer> keysPerTx = new TreeMap<>();
            for (KeyValue kv : all(reopened)) {
                Tuple t = S.unpack(kv.key());
                keysPerTx.merge(t.getLong(1) + "/" + t.getLong(2), 1, Integer::sum);
            }
            keysPerTx.forEach((tx, keys) -> assertEquals(2, keys, "transaction " + tx + " is half there"));
            List<String> lost = acknowledged.stream().filter(a -> !keysPerTx.containsKey(a)).sorted().collect(Collectors.toList());
            assertEquals(List.of(), lost, "acknowledged commits lost across close");
        }
    }

    @Test
    void manyConcurrentCommittersAllFinish() {
        // Group commit: many small transactions share fsyncs. Nothing is assumed about timing, only
        // that every committer finishes and every commit is there.
        int threads = 64;
        int perThread = 25;
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            long start = System.nanoTime();
            runConcurrently(threads, 50, w -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    store.run(tx -> {
                        tx.set(k("gc", w, n), bytes("x"));
                        tx.mutate(MutationType.ADD, k("total"), le64(1));
                        return null;
                    });
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("group commit: %d commits by %d threads in %.2f s; %s%n",
                    threads * perThread, threads, seconds, store.stats());
            assertEquals(threads * perThread, fromLe64(get(store, k("total"))));
            assertEquals(threads * perThread + 1, all(store).size());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The data directory: lock, marker, foreign and damaged directories
    // ---------------------------------------------------------------------------------------------

    @Test
    void openCreatesMissingDirectories() {
        Path dir = tmp.resolve("a/b/c");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            put(store, k("x"), bytes("y"));
        }
        assertTrue(Files.isRegularFile(dir.resolve(EmbeddedStore.MARKER_FILE)));
    }

    @Test
    void secondOpenInTheSameProcessIsLocked() {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore first = EmbeddedStore.open(dir)) {
            put(first, k("a"), bytes("1"));
            assertStorageError(StorageErrorCode.STORE_LOCKED, () -> EmbeddedStore.open(dir));
            assertStorageError(StorageErrorCode.STORE_LOCKED, () -> EmbeddedStore.open(tmp.resolve("./store/../store")));
            // The refused open damaged nothing.
            assertEquals("1", string(get(first, k("a"))));
            put(first, k("b"), bytes("2"));
        }
        try (EmbeddedStore again = EmbeddedStore.open(dir)) {
            assertEquals(2, all(again).size(), "after close the directory opens again with its data");
        }
    }

    @Test
    void foreignDirectoryIsRejectedAndLeftUntouched() throws IOException {
        Path dir = tmp.resolve("someone-elses");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("notes.txt"), "precious, not ours\n");
        Files.write(dir.resolve("sub/data.bin"), new byte[] {1, 2, 3});
        Map<String, String> before = snapshot(dir, name -> true);
        StorageException e = assertStorageError(StorageErrorCode.STORE_INCOMPATIBLE, () -> EmbeddedStore.open(dir));
        assertTrue(e.getMessage().contains(dir.getFileName().toString()), "the error names the directory: " + e.getMessage());
        assertEquals(before, snapshot(dir, name -> true), "nothing in a foreign directory was changed");
    }

    @Test
    void plainRocksDbDirectoryIsNotMistakenForAStore() throws Exception {
        Path dir = tmp.resolve("plain-rocksdb");
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put(bytes("theirs"), bytes("data"));
        }
        Map<String, String> before = snapshot(dir, name -> true);
        assertStorageError(StorageErrorCode.STORE_INCOMPATIBLE, () -> EmbeddedStore.open(dir));
        assertEquals(before, snapshot(dir, name -> true));
    }

    @Test
    void storeOfAnUnknownFormatIsIncompatible() throws IOException {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            put(store, k("a"), bytes("1"));
        }
        Path marker = dir.resolve(EmbeddedStore.MARKER_FILE);
        String original = Files.readString(marker, StandardCharsets.UTF_8);
        Files.writeString(marker, "format=999\n", StandardCharsets.UTF_8);
        Map<String, String> before = snapshot(dir, name -> true);
        assertStorageError(StorageErrorCode.STORE_INCOMPATIBLE, () -> EmbeddedStore.open(dir));
        assertEquals(before, snapshot(dir, name -> true));
        Files.writeString(marker, original, StandardCharsets.UTF_8);
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            assertEquals("1", string(get(store, k("a"))));
        }
    }

    @Test
    void garbageInCurrentIsReportedAsCorruptionAndChangesNothing() throws IOException {
        Path dir = populatedStore();
        Path current = findFile(dir, name -> name.equals("CURRENT"));
        assertCorruptionIsReportedAndHarmless(dir, current, bytes("this is not a manifest name\n"));
    }

    @Test
    void garbageInManifestIsReportedAsCorruptionAndChangesNothing() throws IOException {
        Path dir = populatedStore();
        Path current = findFile(dir, name -> name.equals("CURRENT"));
        Path manifest = current.resolveSibling(Files.readString(current, StandardCharsets.US_ASCII).trim());
        assertTrue(Files.isRegularFile(manifest), "CURRENT names " + manifest);
        byte[] garbage = new byte[(int) Files.size(manifest)];
        new Random(7).nextBytes(garbage);
        assertCorruptionIsReportedAndHarmless(dir, manifest, garbage);
    }

    @Test
    void creationInterruptedAfterTheMarkerIsCompletedByTheNextOpen() throws IOException {
        // The marker is written (durably) before RocksDB creates anything: a crash right after it
        // leaves only the marker, and the next open must create the store rather than refuse it.
        Path dir = tmp.resolve("interrupted");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            put(store, k("x"), bytes("1"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(EmbeddedStore.MARKER_FILE)) {
                    Files.delete(f);
                }
            }
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            assertNull(get(store, k("x")), "a store whose creation was interrupted starts empty");
            put(store, k("y"), bytes("2"));
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            assertEquals("2", string(get(store, k("y"))));
        }
    }

    @Test
    void storeThatLostItsCurrentFileIsNotRecreatedOverItsData() throws IOException {
        Path dir = populatedStore();
        Files.delete(dir.resolve("CURRENT"));
        Predicate<String> storeFiles = name -> !name.startsWith("LOG") && !name.equals("LOCK");
        Map<String, String> before = snapshot(dir, storeFiles);
        assertStorageError(StorageErrorCode.STORE_CORRUPTED, () -> EmbeddedStore.open(dir));
        assertEquals(before, snapshot(dir, storeFiles), "a refused open wrote to the damaged store");
    }

    /** A closed store with some data in it. */
    private Path populatedStore() {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            for (int i = 0; i < 100; i++) {
                put(store, k("row", i), bytes("v" + i));
            }
        }
        return dir;
    }

    /**
     * Replaces {@code file} with {@code garbage}, checks that opening fails with STORE_CORRUPTED and
     * leaves the store's files as they were, then puts the original back and checks that every row
     * is still there: a refused open must never make things worse.
     */
    private void assertCorruptionIsReportedAndHarmless(Path dir, Path file, byte[] garbage) throws IOException {
        byte[] original = Files.readAllBytes(file);
        Files.write(file, garbage);
        // RocksDB's own info log (LOG, LOG.old.*) and LOCK may be touched by any open attempt.
        Predicate<String> storeFiles = name -> !name.startsWith("LOG") && !name.equals("LOCK");
        Map<String, String> before = snapshot(dir, storeFiles);
        assertStorageError(StorageErrorCode.STORE_CORRUPTED, () -> EmbeddedStore.open(dir));
        assertEquals(before, snapshot(dir, storeFiles), "a refused open wrote to the damaged store");
        // A second attempt fails the same way (nothing was half-repaired).
        assertStorageError(StorageErrorCode.STORE_CORRUPTED, () -> EmbeddedStore.open(dir));
        Files.write(file, original);
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            List<KeyValue> rows = all(store);
            assertEquals(100, rows.size());
            assertArrayEquals(bytes("v42"), get(store, k("row", 42)));
        }
    }

    @Test
    void closedStoreRejectsUseFailsWatchesAndReleasesTheDirectory() {
        Path dir = tmp.resolve("store");
        EmbeddedStore store = EmbeddedStore.open(dir);
        put(store, k("a"), bytes("1"));
        CompletableFuture<Void> watch = store.run(tx -> tx.watch(k("a")));
        Transaction open = store.createTransaction();
        assertEquals("1", string(await(open.get(k("a")))));
        store.close();
        store.close();

        Throwable watchFailure = assertFailsWithin(watch, 10, "watch outstanding at close");
        StorageException se = StorageException.unwrap(watchFailure);
        assertNotNull(se, "watch failed with " + watchFailure);
        assertEquals(StorageErrorCode.STORE_CLOSED, se.code());
        assertStorageError(StorageErrorCode.STORE_CLOSED, store::createTransaction);
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> await(open.get(k("a"))));
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> await(open.commit()));
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> put(store, k("b"), bytes("2")));
        open.close();

        try (EmbeddedStore reopened = EmbeddedStore.open(dir)) {
            assertEquals("1", string(get(reopened, k("a"))));
            assertNull(get(reopened, k("b")));
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Path findFile(Path dir, Predicate<String> name) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p) && name.test(p.getFileName().toString()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no matching file in " + dir));
        }
    }

    /** Relative path -> SHA-256 of the content ("dir" for directories), for files whose name passes. */
    private static Map<String, String> snapshot(Path dir, Predicate<String> include) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> files = Files.walk(dir)) {
            paths = files.filter(p -> !p.equals(dir)).collect(Collectors.toCollection(ArrayList::new));
        }
        for (Path p : paths) {
            if (!include.test(p.getFileName().toString())) {
                continue;
            }
            String rel = dir.relativize(p).toString();
            out.put(rel, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
        }
        return out;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
