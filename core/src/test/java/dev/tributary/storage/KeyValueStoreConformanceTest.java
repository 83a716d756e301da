package dev.tributary.storage;

import static dev.tributary.storage.StorageTestSupport.assertFailsWithin;
import static dev.tributary.storage.StorageTestSupport.assertNotCompletedWithin;
import static dev.tributary.storage.StorageTestSupport.assertStorageError;
import static dev.tributary.storage.StorageTestSupport.await;
import static dev.tributary.storage.StorageTestSupport.bytes;
import static dev.tributary.storage.StorageTestSupport.concat;
import static dev.tributary.storage.StorageTestSupport.fromLe64;
import static dev.tributary.storage.StorageTestSupport.le64;
import static dev.tributary.storage.StorageTestSupport.packWithVersionstamp;
import static dev.tributary.storage.StorageTestSupport.runConcurrently;
import static dev.tributary.storage.StorageTestSupport.string;
import static dev.tributary.storage.StorageTestSupport.ub;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The storage SPI contract, run against every backend. A subclass provides the store; each test
 * works under its own fresh key prefix and clears it afterwards, so the suite can run against a
 * shared FoundationDB cluster. The expectations are FoundationDB's behaviour: where the embedded
 * store and FoundationDB could differ, FoundationDB is the reference.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class KeyValueStoreConformanceTest {

    /** The store under test; the subclass owns its lifetime (typically one per test class). */
    protected abstract KeyValueStore store();

    /**
     * A second, independent store (or store handle) that the test will close, for the STORE_CLOSED
     * checks. It must see the same key space as {@link #store()} or a private one; either works.
     */
    protected abstract KeyValueStore openDisposableStore();

    /** This test's private key space. */
    protected Subspace space;
    /** The raw prefix of {@link #space}; every key a test writes starts with it. */
    protected byte[] prefix;

    @BeforeEach
    void allocatePrefix(TestInfo info) {
        KeyValueStore store = store(); // first, so that a subclass can skip the test here
        String test = info.getTestMethod().map(m -> m.getName()).orElse("test");
        space = new Subspace(Tuple.from("tributary-conformance", test, UUID.randomUUID().toString()));
        prefix = space.getKey();
        assertTrue(store.read(tx -> await(tx.getRange(prefix, Keys.prefixEnd(prefix), 1, false))).isEmpty(),
                "fresh test prefix is not empty");
    }

    @AfterEach
    void clearPrefix() {
        if (prefix == null) {
            return; // skipped before it started
        }
        store().run(tx -> {
            tx.clearRange(prefix, Keys.prefixEnd(prefix));
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    protected byte[] k(Object... parts) {
        return space.pack(Tuple.from(parts));
    }

    protected void write(Consumer<Transaction> body) {
        store().run(tx -> {
            body.accept(tx);
            return null;
        });
    }

    protected void put(byte[] key, byte[] value) {
        write(tx -> tx.set(key, value));
    }

    protected byte[] get(byte[] key) {
        return store().read(tx -> await(tx.get(key)));
    }

    protected List<KeyValue> all() {
        return store().read(tx -> await(tx.getRange(prefix, Keys.prefixEnd(prefix))));
    }

    protected List<KeyValue> range(Subspace sub) {
        return store().read(tx -> await(tx.getRange(sub.range().begin, sub.range().end)));
    }

    /** "a/3=v3": the key's tuple elements under the test prefix and the value as text. */
    protected String label(KeyValue kv) {
        String key = space.unpack(kv.key()).getItems().stream().map(String::valueOf).collect(Collectors.joining("/"));
        return key + "=" + string(kv.value());
    }

    protected List<String> labels(List<KeyValue> kvs) {
        return kvs.stream().map(this::label).collect(Collectors.toList());
    }

    private static List<String> printableKeys(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> Keys.printable(kv.key())).collect(Collectors.toList());
    }

    private static List<String> printable(List<byte[]> keys) {
        return keys.stream().map(Keys::printable).collect(Collectors.toList());
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }

    /** Writes k(name, i) = "v" + i for i in [0, n). */
    private void writeNumbered(String name, int n) {
        write(tx -> {
            for (int i = 0; i < n; i++) {
                tx.set(k(name, i), bytes("v" + i));
            }
        });
    }

    private static List<String> numberedLabels(String name, IntStream indexes) {
        return indexes.mapToObj(i -> name + "/" + i + "=v" + i).collect(Collectors.toList());
    }

    // ---------------------------------------------------------------------------------------------
    // Point reads
    // ---------------------------------------------------------------------------------------------

    @Test
    void getOfMissingKeyIsNull() {
        assertNull(get(k("missing")));
    }

    @Test
    void committedSetIsVisibleAndOverwriteReplacesIt() {
        put(k("a"), bytes("one"));
        assertEquals("one", string(get(k("a"))));
        put(k("a"), bytes("two"));
        assertEquals("two", string(get(k("a"))));
    }

    @Test
    void emptyValueIsDistinctFromMissingKey() {
        put(k("empty"), new byte[0]);
        byte[] value = get(k("empty"));
        assertNotNull(value, "a key set to the empty value exists");
        assertEquals(0, value.length);
        assertEquals(List.of("empty="), labels(all()));
    }

    @Test
    void clearRemovesKeyAndClearingAMissingKeyIsHarmless() {
        put(k("a"), bytes("1"));
        write(tx -> {
            tx.clear(k("a"));
            tx.clear(k("never-set"));
        });
        assertNull(get(k("a")));
        assertTrue(all().isEmpty());
    }

    @Test
    void arraysReturnedByReadsBelongToTheCaller() {
        // Why: a backend that hands out its own arrays (cache, write buffer) lets a caller's later
        // mutation of a result silently change what the next read returns.
        put(k("committed"), bytes("abc"));
        try (Transaction tx = store().createTransaction()) {
            byte[] read = await(tx.get(k("committed")));
            read[0] = 'X';
            assertEquals("abc", string(await(tx.get(k("committed")))));
            List<KeyValue> r = await(tx.getRange(prefix, Keys.prefixEnd(prefix)));
            r.get(0).value()[0] = 'Y';
            r.get(0).key()[prefix.length] = 0;
            assertEquals(List.of("committed=abc"), labels(await(tx.getRange(prefix, Keys.prefixEnd(prefix)))));

            tx.set(k("own"), bytes("own"));
            byte[] ownRead = await(tx.get(k("own")));
            ownRead[0] = 'W';
            assertEquals("own", string(await(tx.get(k("own")))));
            await(tx.getRange(prefix, Keys.prefixEnd(prefix))).forEach(kv -> kv.value()[0] = 'V');
            assertEquals(List.of("committed=abc", "own=own"), labels(await(tx.getRange(prefix, Keys.prefixEnd(prefix)))));
            await(tx.commit());
        }
        assertEquals(List.of("committed=abc", "own=own"), labels(all()));
    }

    @Test
    void arraysPassedToWritesAreCopied() {
        // Why: callers reuse key and value buffers (FoundationDB copies them when the operation is
        // made); a backend that keeps the caller's arrays commits whatever they hold later.
        byte[] key = k("own");
        byte[] value = bytes("own");
        byte[] counterKey = k("ctr");
        byte[] operand = le64(1);
        try (Transaction tx = store().createTransaction()) {
            tx.set(key, value);
            tx.mutate(MutationType.ADD, counterKey, operand);
            value[0] = 'Z';
            key[key.length - 2] = 'Q'; // inside the tuple string "own": the key becomes "owQ"
            operand[0] = 100;
            counterKey[counterKey.length - 2] = 'X';
            assertEquals("own", string(await(tx.get(k("own")))));
            assertNull(await(tx.get(k("owQ"))));
            assertEquals(1, fromLe64(await(tx.get(k("ctr")))));
            await(tx.commit());
        }
        assertEquals("own", string(get(k("own"))));
        assertNull(get(k("owQ")));
        assertEquals(1, fromLe64(get(k("ctr"))));
        assertNull(get(k("ctX")));
    }

    // ---------------------------------------------------------------------------------------------
    // Range reads
    // ---------------------------------------------------------------------------------------------

    @Test
    void keysAreOrderedAsUnsignedBytes() {
        List<byte[]> expected = List.of(
                prefix,
                concat(prefix, ub(0x00)),
                concat(prefix, ub(0x01)),
                concat(prefix, ub(0x7f)),
                concat(prefix, ub(0x80)),
                concat(prefix, ub(0x80, 0x00)),
                concat(prefix, ub(0x80, 0xff)),
                concat(prefix, ub(0xfe)));
        List<byte[]> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(42));
        write(tx -> shuffled.forEach(key -> tx.set(key, bytes("x"))));

        byte[] end = Keys.prefixEnd(prefix);
        List<KeyValue> forward = store().read(tx -> await(tx.getRange(prefix, end)));
        assertEquals(printable(expected), printableKeys(forward));
        List<KeyValue> backward = store().read(tx -> await(tx.getRange(prefix, end, ReadTransaction.NO_LIMIT, true)));
        assertEquals(reversed(printable(expected)), printableKeys(backward));
    }

    @Test
    void rangeReadsForwardReverseAndWithLimits() {
        writeNumbered("r", 10);
        byte[] b = space.range(Tuple.from("r")).begin;
        byte[] e = space.range(Tuple.from("r")).end;
        store().read(tx -> {
            assertEquals(numberedLabels("r", IntStream.range(0, 10)), labels(await(tx.getRange(b, e))));
            assertEquals(reversed(numberedLabels("r", IntStream.range(0, 10))),
                    labels(await(tx.getRange(b, e, ReadTransaction.NO_LIMIT, true))));
            assertEquals(numberedLabels("r", IntStream.range(0, 3)), labels(await(tx.getRange(b, e, 3, false))));
            assertEquals(List.of("r/9=v9", "r/8=v8", "r/7=v7"), labels(await(tx.getRange(b, e, 3, true))));
            assertEquals(List.of("r/0=v0"), labels(await(tx.getRange(b, e, 1, false))));
            assertEquals(List.of("r/9=v9"), labels(await(tx.getRange(b, e, 1, true))));
            for (int limit : new int[] {10, 11, 1000}) {
                assertEquals(10, await(tx.getRange(b, e, limit, false)).size(), "limit " + limit);
                assertEquals(10, await(tx.getRange(b, e, limit, true)).size(), "limit " + limit + " reverse");
            }
            // begin inclusive, end exclusive
            assertEquals(numberedLabels("r", IntStream.range(3, 7)), labels(await(tx.getRange(k("r", 3), k("r", 7)))));
            assertEquals(reversed(numberedLabels("r", IntStream.range(3, 7))),
                    labels(await(tx.getRange(k("r", 3), k("r", 7), ReadTransaction.NO_LIMIT, true))));
            assertEquals(List.of("r/6=v6", "r/5=v5"), labels(await(tx.getRange(k("r", 3), k("r", 7), 2, true))));
            // bounds that are not keys themselves
            assertEquals(numberedLabels("r", IntStream.range(3, 5)),
                    labels(await(tx.getRange(Keys.keyAfter(k("r", 2)), Keys.keyAfter(k("r", 4))))));
            return null;
        });
    }

    @Test
    void emptyRangesReturnNothing() {
        writeNumbered("r", 5);
        store().read(tx -> {
            for (boolean reverse : new boolean[] {false, true}) {
                assertTrue(await(tx.getRange(k("r", 2), k("r", 2), ReadTransaction.NO_LIMIT, reverse)).isEmpty(),
                        "begin == end (an existing key) is empty");
                assertTrue(await(tx.getRange(k("r", 2), k("r", 2), 5, reverse)).isEmpty());
                assertTrue(await(tx.getRange(k("nothing-here"), k("nothing-here-either"), 0, reverse)).isEmpty());
                assertTrue(await(tx.getRange(Keys.keyAfter(k("r", 2)), k("r", 3), 0, reverse)).isEmpty(),
                        "a gap between two keys is empty");
            }
            assertEquals(List.of("r/2=v2"), labels(await(tx.getRange(k("r", 2), Keys.keyAfter(k("r", 2))))));
            assertTrue(await(tx.getRangeStartsWith(space.pack(Tuple.from("absent")))).isEmpty());
            return null;
        });
    }

    @Test
    void getRangeStartsWithStaysInsideThePrefix() {
        for (String suffix : List.of("a", "ab", "abc", "abd", "ab\u00ff", "ac", "b")) {
            put(concat(prefix, bytes(suffix)), bytes(suffix));
        }
        List<KeyValue> r = store().read(tx -> await(tx.getRangeStartsWith(concat(prefix, bytes("ab")))));
        assertEquals(List.of("ab", "abc", "abd", "ab\u00ff"), r.stream().map(kv -> string(kv.value())).collect(Collectors.toList()));
    }

    @Test
    void iterateStreamsTwentyThousandKeysInSmallBatches() {
        int n = 20_000;
        for (int chunk = 0; chunk < n; chunk += 5_000) {
            int from = chunk;
            write(tx -> {
                for (int i = from; i < from + 5_000; i++) {
                    tx.set(k("it", i), Tuple.from(i).pack());
                }
            });
        }
        byte[] b = space.range(Tuple.from("it")).begin;
        byte[] e = space.range(Tuple.from("it")).end;
        store().read(tx -> {
            Iterator<KeyValue> it = tx.iterate(b, e, false, 100);
            int expected = 0;
            while (it.hasNext()) {
                KeyValue kv = it.next();
                assertEquals(expected, space.unpack(kv.key()).getLong(1), "forward order");
                assertEquals(expected, Tuple.fromBytes(kv.value()).getLong(0));
                expected++;
            }
            assertEquals(n, expected);
            assertFalse(it.hasNext());
            assertThrows(java.util.NoSuchElementException.class, it::next);
            return null;
        });
        store().read(tx -> {
            Iterator<KeyValue> it = tx.iterate(b, e, true, 37);
            int expected = n - 1;
            while (it.hasNext()) {
                assertEquals(expected, space.unpack(it.next().key()).getLong(1), "reverse order");
                expected--;
            }
            assertEquals(-1, expected);
            return null;
        });
        store().read(tx -> {
            // batch of one over a sub-range, and a batch larger than the range
            List<Long> small = new ArrayList<>();
            tx.iterate(k("it", 100), k("it", 110), false, 1).forEachRemaining(kv -> small.add(space.unpack(kv.key()).getLong(1)));
            assertEquals(longRange(100, 110), small);
            List<Long> wide = new ArrayList<>();
            tx.iterate(k("it", 19_990), e, true, 50_000).forEachRemaining(kv -> wide.add(space.unpack(kv.key()).getLong(1)));
            assertEquals(reversed(longRange(19_990, 20_000)), wide);
            assertFalse(tx.iterate(k("it", 5), k("it", 5), false, 10).hasNext());
            assertThrows(IllegalArgumentException.class, () -> tx.iterate(b, e, false, 0));
            return null;
        });
    }

    private static List<Long> longRange(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void rangeReadsAtScale() {
        int n = 100_000;
        int perTx = 10_000;
        for (int chunk = 0; chunk < n; chunk += perTx) {
            int from = chunk;
            write(tx -> {
                for (int i = from; i < from + perTx; i++) {
                    tx.set(k("s", i), le64(i));
                }
            });
        }
        byte[] b = space.range(Tuple.from("s")).begin;
        byte[] e = space.range(Tuple.from("s")).end;
        List<KeyValue> everything = store().read(tx -> await(tx.getRange(b, e)));
        assertEquals(n, everything.size(), "an unlimited range read returns every key");
        for (int i = 0; i < n; i++) {
            KeyValue kv = everything.get(i);
            if (space.unpack(kv.key()).getLong(1) != i || fromLe64(kv.value()) != i) {
                fail("entry " + i + " is " + kv);
            }
        }
        everything = null;

        List<KeyValue> tail = store().read(tx -> await(tx.getRange(b, e, 1_000, true)));
        assertEquals(1_000, tail.size());
        assertEquals(n - 1, space.unpack(tail.get(0).key()).getLong(1));
        assertEquals(n - 1_000, space.unpack(tail.get(999).key()).getLong(1));

        List<KeyValue> middle = store().read(tx -> await(tx.getRange(k("s", 50_000), k("s", 50_100))));
        assertEquals(100, middle.size());
        assertEquals(50_000, space.unpack(middle.get(0).key()).getLong(1));

        long counted = store().read(tx -> {
            long c = 0;
            long last = -1;
            for (Iterator<KeyValue> it = tx.iterate(b, e, false, 1_000); it.hasNext(); ) {
                long i = space.unpack(it.next().key()).getLong(1);
                assertEquals(last + 1, i);
                last = i;
                c++;
            }
            return c;
        });
        assertEquals(n, counted);

        // Clearing a large range is one small mutation and takes effect at once.
        write(tx -> tx.clearRange(k("s", 1_000), k("s", 99_000)));
        assertEquals(2_000, store().read(tx -> await(tx.getRange(b, e))).size());
    }

    // ---------------------------------------------------------------------------------------------
    // Read versions and snapshots
    // ---------------------------------------------------------------------------------------------

    @Test
    void readVersionIsTakenAtTheFirstReadAndStaysFixed() {
        put(k("a"), bytes("1"));
        put(k("b"), bytes("1"));
        try (Transaction tx = store().createTransaction()) {
            put(k("a"), bytes("2")); // committed before tx's first read: visible to it
            assertEquals("2", string(await(tx.get(k("a")))));
            put(k("b"), bytes("2")); // committed after tx's read version: invisible to it
            put(k("c"), bytes("2"));
            assertEquals("1", string(await(tx.get(k("b")))));
            assertNull(await(tx.get(k("c"))));
            assertEquals(List.of("a=2", "b=1"), labels(await(tx.getRange(prefix, Keys.prefixEnd(prefix)))));
            assertEquals("1", string(await(tx.snapshot().get(k("b")))));
            assertEquals(tx.getReadVersion(), tx.snapshot().getReadVersion(), "the snapshot view reads at the same version");
        }
    }

    @Test
    void commitVersionsOrderTransactions() {
        long first;
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("a"), bytes("1"));
            await(tx.commit());
            first = tx.getCommittedVersion();
        }
        assertTrue(first > 0, "committed version is positive");
        try (Transaction tx = store().createTransaction()) {
            assertTrue(tx.getReadVersion() >= first, "a later transaction reads at or after an earlier commit");
            assertEquals("1", string(await(tx.get(k("a")))));
            tx.set(k("a"), bytes("2"));
            await(tx.commit());
            assertTrue(tx.getCommittedVersion() > first, "commit versions increase");
        }
        try (Transaction tx = store().createTransaction()) {
            await(tx.get(k("a")));
            await(tx.commit());
            assertEquals(-1, tx.getCommittedVersion(), "a read-only transaction has no commit version");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Read your writes
    // ---------------------------------------------------------------------------------------------

    @Test
    void readYourWritesForPointReads() {
        put(k("a"), bytes("1"));
        put(k("b"), bytes("1"));
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("a"), bytes("2"));
            tx.clear(k("b"));
            tx.set(k("c"), bytes("3"));
            assertEquals("2", string(await(tx.get(k("a")))));
            assertNull(await(tx.get(k("b"))));
            assertEquals("3", string(await(tx.get(k("c")))));
            tx.set(k("b"), bytes("again"));
            tx.clear(k("c"));
            assertEquals("again", string(await(tx.get(k("b")))));
            assertNull(await(tx.get(k("c"))));
            // Others see nothing before the commit.
            assertEquals(List.of("a=1", "b=1"), labels(all()));
            await(tx.commit());
        }
        assertEquals(List.of("a=2", "b=again"), labels(all()));
    }

    @Test
    void readYourWritesMergeIntoRangeReads() {
        write(tx -> {
            for (int i = 0; i < 10; i += 2) {
                tx.set(k("m", i), bytes("c" + i));
            }
        });
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("m", 3), bytes("t3"));
            tx.set(k("m", 4), bytes("t4"));
            tx.clear(k("m", 6));
            tx.set(k("m", 9), bytes("t9"));
            byte[] b = space.range(Tuple.from("m")).begin;
            byte[] e = space.range(Tuple.from("m")).end;
            List<String> expected = List.of("m/0=c0", "m/2=c2", "m/3=t3", "m/4=t4", "m/8=c8", "m/9=t9");
            assertEquals(expected, labels(await(tx.getRange(b, e))));
            assertEquals(reversed(expected), labels(await(tx.getRange(b, e, ReadTransaction.NO_LIMIT, true))));
            assertEquals(expected.subList(0, 3), labels(await(tx.getRange(b, e, 3, false))));
            assertEquals(List.of("m/9=t9", "m/8=c8"), labels(await(tx.getRange(b, e, 2, true))));
            assertEquals(List.of("m/3=t3", "m/4=t4"), labels(await(tx.getRange(k("m", 3), k("m", 8)))));
            List<String> iterated = new ArrayList<>();
            tx.iterate(b, e, false, 2).forEachRemaining(kv -> iterated.add(label(kv)));
            assertEquals(expected, iterated);
            List<String> iteratedBack = new ArrayList<>();
            tx.iterate(b, e, true, 2).forEachRemaining(kv -> iteratedBack.add(label(kv)));
            assertEquals(reversed(expected), iteratedBack);
            await(tx.commit());
        }
        assertEquals(List.of("m/0=c0", "m/2=c2", "m/3=t3", "m/4=t4", "m/8=c8", "m/9=t9"), labels(all()));
    }

    @Test
    void readYourWritesAfterClearRange() {
        writeNumbered("n", 10);
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("n", 20), bytes("own"));
            tx.clearRange(k("n", 2), k("n", 7));
            assertNull(await(tx.get(k("n", 3))));
            assertEquals("v7", string(await(tx.get(k("n", 7)))), "the end of a cleared range is exclusive");
            tx.set(k("n", 4), bytes("back"));
            tx.clearRange(k("n", 15), k("n", 25)); // clears the transaction's own earlier write
            assertEquals(List.of("n/0=v0", "n/1=v1", "n/4=back", "n/7=v7", "n/8=v8", "n/9=v9"),
                    labels(await(tx.getRangeStartsWith(space.pack(Tuple.from("n"))))));
            assertEquals(List.of("n/9=v9", "n/8=v8", "n/7=v7", "n/4=back"),
                    labels(await(tx.getRange(k("n", 0), k("n", 100), 4, true))));
            await(tx.commit());
        }
        assertEquals(List.of("n/0=v0", "n/1=v1", "n/4=back", "n/7=v7", "n/8=v8", "n/9=v9"), labels(all()));
    }

    @Test
    void readYourWritesApplyAtomicMutations() {
        write(tx -> {
            tx.set(k("ctr"), le64(10));
            tx.set(k("max"), le64(5));
        });
        try (Transaction tx = store().createTransaction()) {
            tx.mutate(MutationType.ADD, k("ctr"), le64(5));
            assertEquals(15, fromLe64(await(tx.get(k("ctr")))));
            tx.mutate(MutationType.ADD, k("ctr"), le64(1));
            assertEquals(16, fromLe64(await(tx.get(k("ctr")))));
            tx.mutate(MutationType.ADD, k("fresh"), le64(7));
            assertEquals(7, fromLe64(await(tx.get(k("fresh")))));
            tx.set(k("own"), le64(1));
            tx.mutate(MutationType.ADD, k("own"), le64(2));
            assertEquals(3, fromLe64(await(tx.get(k("own")))));
            tx.mutate(MutationType.MAX, k("max"), le64(9));
            tx.mutate(MutationType.MAX, k("max"), le64(7));
            assertEquals(9, fromLe64(await(tx.get(k("max")))));
            tx.clear(k("own"));
            tx.mutate(MutationType.ADD, k("own"), le64(4));
            assertEquals(4, fromLe64(await(tx.get(k("own")))), "a cleared key counts as zero");
            Map<String, Long> seen = new HashMap<>();
            for (KeyValue kv : await(tx.getRange(prefix, Keys.prefixEnd(prefix)))) {
                seen.put(space.unpack(kv.key()).getString(0), fromLe64(kv.value()));
            }
            assertEquals(Map.of("ctr", 16L, "fresh", 7L, "own", 4L, "max", 9L), seen, "range reads apply mutations too");
            await(tx.commit());
        }
        assertEquals(16, fromLe64(get(k("ctr"))));
        assertEquals(7, fromLe64(get(k("fresh"))));
        assertEquals(4, fromLe64(get(k("own"))));
        assertEquals(9, fromLe64(get(k("max"))));
    }

    @Test
    void snapshotReadsSeeTheTransactionsOwnWrites() {
        put(k("a"), bytes("1"));
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("a"), bytes("2"));
            tx.set(k("b"), bytes("new"));
            assertEquals("2", string(await(tx.snapshot().get(k("a")))));
            assertEquals(List.of("a=2", "b=new"), labels(await(tx.snapshot().getRange(prefix, Keys.prefixEnd(prefix)))));
        }
        assertEquals(List.of("a=1"), labels(all()), "closing without commit writes nothing");
    }

    // ---------------------------------------------------------------------------------------------
    // Serializable isolation
    // ---------------------------------------------------------------------------------------------

    @Test
    void writeSkewIsRejected() {
        // Two doctors on call; each may go off call if the other is still on. Under snapshot isolation
        // both would commit and nobody would be on call.
        write(tx -> {
            tx.set(k("alice"), bytes("on"));
            tx.set(k("bob"), bytes("on"));
        });
        try (Transaction t1 = store().createTransaction(); Transaction t2 = store().createTransaction()) {
            for (Transaction t : List.of(t1, t2)) {
                assertEquals("on", string(await(t.get(k("alice")))));
                assertEquals("on", string(await(t.get(k("bob")))));
            }
            t1.set(k("alice"), bytes("off"));
            t2.set(k("bob"), bytes("off"));
            await(t1.commit());
            StorageException e = assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t2.commit()));
            assertTrue(e.isRetryable());
        }
        assertEquals(List.of("alice=off", "bob=on"), labels(all()));
    }

    @Test
    void writeSkewUnderConcurrencyKeepsTheInvariant() {
        // Two accounts; a withdrawal from either is allowed while the sum stays non-negative. Each
        // transaction reads both and writes one: exactly the write-skew shape.
        write(tx -> {
            tx.set(k("acct", 0), le64(5));
            tx.set(k("acct", 1), le64(5));
        });
        AtomicInteger granted = new AtomicInteger();
        runConcurrently(8, 90, w -> {
            for (int i = 0; i < 4; i++) {
                boolean ok = store().run(tx -> {
                    long a = fromLe64(await(tx.get(k("acct", 0))));
                    long b = fromLe64(await(tx.get(k("acct", 1))));
                    if (a + b < 1) {
                        return false;
                    }
                    int mine = w % 2;
                    tx.set(k("acct", mine), le64((mine == 0 ? a : b) - 1));
                    return true;
                });
                if (ok) {
                    granted.incrementAndGet();
                }
            }
        });
        long a = fromLe64(get(k("acct", 0)));
        long b = fromLe64(get(k("acct", 1)));
        assertEquals(0, a + b, "balances " + a + " + " + b);
        assertEquals(10, granted.get(), "exactly the available 10 withdrawals succeed");
    }

    @Test
    void lostUpdateIsRejected() {
        put(k("counter"), bytes("0"));
        try (Transaction t1 = store().createTransaction(); Transaction t2 = store().createTransaction()) {
            int v1 = Integer.parseInt(string(await(t1.get(k("counter")))));
            int v2 = Integer.parseInt(string(await(t2.get(k("counter")))));
            t1.set(k("counter"), bytes(Integer.toString(v1 + 1)));
            t2.set(k("counter"), bytes(Integer.toString(v2 + 1)));
            await(t2.commit());
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t1.commit()));
        }
        assertEquals("1", string(get(k("counter"))));
    }

    @Test
    void concurrentReadModifyWriteIncrementsAreNeverLost() {
        int threads = 8;
        int perThread = 25;
        put(k("counter"), le64(0));
        AtomicInteger attempts = new AtomicInteger();
        runConcurrently(threads, 90, w -> {
            for (int i = 0; i < perThread; i++) {
                store().run(tx -> {
                    attempts.incrementAndGet();
                    long v = fromLe64(await(tx.get(k("counter"))));
                    tx.set(k("counter"), le64(v + 1));
                    return null;
                });
            }
        });
        assertEquals(threads * perThread, fromLe64(get(k("counter"))), "every acknowledged increment counts once");
        assertTrue(attempts.get() >= threads * perThread);
    }

    @Test
    void phantomInsertIntoAReadRangeConflicts() {
        write(tx -> {
            tx.set(k("item", 1), bytes("x"));
            tx.set(k("item", 5), bytes("x"));
        });
        for (boolean reverse : new boolean[] {false, true}) {
            try (Transaction reader = store().createTransaction()) {
                byte[] b = space.range(Tuple.from("item")).begin;
                byte[] e = space.range(Tuple.from("item")).end;
                int count = await(reader.getRange(b, e, ReadTransaction.NO_LIMIT, reverse)).size();
                reader.set(k("count", reverse ? "rev" : "fwd"), bytes(Integer.toString(count)));
                put(k("item", reverse ? 4 : 3), bytes("phantom"));
                assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(reader.commit()));
            }
        }
        assertNull(get(k("count", "fwd")));
        assertNull(get(k("count", "rev")));
    }

    @Test
    void phantomInsertIntoAnEmptyReadRangeConflicts() {
        try (Transaction reader = store().createTransaction()) {
            assertTrue(await(reader.getRange(k("slot", 0), k("slot", 100))).isEmpty());
            reader.set(k("claim"), bytes("slot range is free"));
            put(k("slot", 42), bytes("taken"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(reader.commit()));
        }
        assertNull(get(k("claim")));
    }

    @Test
    void writesOutsideAReadRangeDoNotConflict() {
        writeNumbered("r", 10);
        try (Transaction reader = store().createTransaction()) {
            assertEquals(4, await(reader.getRange(k("r", 3), k("r", 7))).size());
            reader.set(k("out"), bytes("ok"));
            write(tx -> {
                tx.set(k("r", 2), bytes("before begin"));
                tx.set(k("r", 7), bytes("at the exclusive end"));
                tx.set(k("r", 8), bytes("after end"));
            });
            await(reader.commit());
        }
        assertEquals("ok", string(get(k("out"))));
    }

    @Test
    void readOnlyTransactionsNeverConflict() {
        writeNumbered("r", 3);
        try (Transaction reader = store().createTransaction()) {
            await(reader.get(k("r", 0)));
            await(reader.getRange(k("r", 0), k("r", 100)));
            write(tx -> {
                tx.set(k("r", 0), bytes("changed"));
                tx.set(k("r", 50), bytes("inserted"));
            });
            await(reader.commit());
            assertEquals(-1, reader.getCommittedVersion());
        }
        assertEquals("changed", string(get(k("r", 0))));
        // read() never commits, so it cannot fail on a conflict either.
        String seen = store().read(tx -> {
            String v = string(await(tx.get(k("r", 0))));
            put(k("r", 0), bytes("changed again"));
            return v;
        });
        assertEquals("changed", seen);
    }

    @Test
    void limitedRangeReadsConflictOnlyUpToTheLastReturnedKey() {
        writeNumbered("r", 10);
        byte[] b = space.range(Tuple.from("r")).begin;
        byte[] e = space.range(Tuple.from("r")).end;

        // Forward, limit 3 returns 0..2: a write to 5 is outside what was read.
        try (Transaction t = store().createTransaction()) {
            assertEquals(3, await(t.getRange(b, e, 3, false)).size());
            t.set(k("out", 1), bytes("x"));
            put(k("r", 5), bytes("changed"));
            await(t.commit());
        }
        // ... but a write to 1 is inside.
        try (Transaction t = store().createTransaction()) {
            assertEquals(3, await(t.getRange(b, e, 3, false)).size());
            t.set(k("out", 2), bytes("x"));
            put(k("r", 1), bytes("changed"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        // Reverse, limit 3 returns 9..7: a write to 2 is outside, a write to 8 inside.
        try (Transaction t = store().createTransaction()) {
            assertEquals(3, await(t.getRange(b, e, 3, true)).size());
            t.set(k("out", 3), bytes("x"));
            put(k("r", 2), bytes("changed"));
            await(t.commit());
        }
        try (Transaction t = store().createTransaction()) {
            assertEquals(3, await(t.getRange(b, e, 3, true)).size());
            t.set(k("out", 4), bytes("x"));
            put(k("r", 8), bytes("changed"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        // A limit that is not reached covers the whole range: an insert anywhere in it conflicts.
        try (Transaction t = store().createTransaction()) {
            assertEquals(10, await(t.getRange(b, e, 50, false)).size());
            t.set(k("out", 5), bytes("x"));
            put(k("r", 1_000), bytes("inserted"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        assertEquals(List.of("out/1=x", "out/3=x"),
                labels(store().read(tx -> await(tx.getRangeStartsWith(space.pack(Tuple.from("out")))))));
    }

    @Test
    void iteratorConflictsCoverOnlyWhatWasFetched() {
        write(tx -> {
            for (int i = 0; i < 2_000; i++) {
                tx.set(k("r", i), bytes("v"));
            }
        });
        try (Transaction t = store().createTransaction()) {
            Iterator<KeyValue> it = t.iterate(space.range(Tuple.from("r")).begin, space.range(Tuple.from("r")).end, false, 10);
            for (int i = 0; i < 10; i++) {
                it.next();
            }
            t.set(k("out"), bytes("x"));
            put(k("r", 1_990), bytes("far beyond what was fetched"));
            await(t.commit());
        }
        assertEquals("x", string(get(k("out"))));
    }

    @Test
    void snapshotReadsDoNotConflict() {
        writeNumbered("r", 5);
        try (Transaction t = store().createTransaction()) {
            ReadTransaction snap = t.snapshot();
            assertEquals("v1", string(await(snap.get(k("r", 1)))));
            assertEquals(5, await(snap.getRange(k("r", 0), k("r", 100))).size());
            snap.iterate(k("r", 0), k("r", 100), true, 2).forEachRemaining(kv -> { });
            t.set(k("out"), bytes("x"));
            write(tx -> {
                tx.set(k("r", 1), bytes("changed"));
                tx.set(k("r", 50), bytes("inserted"));
            });
            await(t.commit());
        }
        assertEquals("x", string(get(k("out"))));
    }

    @Test
    void addReadConflictRangeMakesUnreadKeysConflict() {
        // A conflict is judged against the read version, so each transaction fixes it (as a read
        // would) before the concurrent write.
        try (Transaction t = store().createTransaction()) {
            t.getReadVersion();
            t.addReadConflictRange(k("c", "a"), k("c", "m"));
            t.set(k("out", 1), bytes("x"));
            put(k("c", "f"), bytes("concurrent"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        try (Transaction t = store().createTransaction()) {
            t.getReadVersion();
            t.addReadConflictKey(k("c", "key"));
            t.set(k("out", 2), bytes("x"));
            put(k("c", "key"), bytes("concurrent"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        try (Transaction t = store().createTransaction()) {
            t.getReadVersion();
            t.addReadConflictRange(k("c", "a"), k("c", "g"));
            t.addReadConflictKey(k("c", "x"));
            t.set(k("out", 3), bytes("x"));
            // Writes at the exclusive end and next to a conflict key do not intersect.
            write(tx -> {
                tx.set(k("c", "g"), bytes("end"));
                tx.set(k("c", "x", 0), bytes("neighbour"));
                tx.set(k("c", "w"), bytes("before"));
            });
            await(t.commit());
        }
        assertEquals(List.of("out/3=x"),
                labels(store().read(tx -> await(tx.getRangeStartsWith(space.pack(Tuple.from("out")))))));
    }

    @Test
    void addWriteConflictRangeMakesReadersConflict() {
        put(k("w", "x"), bytes("original"));
        try (Transaction reader = store().createTransaction()) {
            assertEquals("original", string(await(reader.get(k("w", "x")))));
            reader.set(k("out", 1), bytes("x"));
            write(tx -> {
                tx.addWriteConflictRange(k("w", "a"), k("w", "z"));
                tx.set(k("unrelated"), bytes("y")); // so that no backend treats it as read-only
            });
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(reader.commit()));
        }
        try (Transaction reader = store().createTransaction()) {
            await(reader.get(k("w", "x")));
            reader.set(k("out", 2), bytes("x"));
            write(tx -> {
                tx.addWriteConflictKey(k("w", "x"));
                tx.set(k("unrelated"), bytes("z"));
            });
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(reader.commit()));
        }
        assertEquals("original", string(get(k("w", "x"))), "a write conflict range changes no data");
        assertNull(get(k("out", 1)));
        assertNull(get(k("out", 2)));
    }

    @Test
    void blindWritesDoNotConflict() {
        try (Transaction t1 = store().createTransaction(); Transaction t2 = store().createTransaction()) {
            t1.getReadVersion();
            t2.getReadVersion();
            t1.set(k("a"), bytes("first"));
            t1.clearRange(k("r", 0), k("r", 10));
            t2.set(k("a"), bytes("second"));
            t2.set(k("r", 5), bytes("x"));
            await(t1.commit());
            await(t2.commit());
        }
        assertEquals(List.of("a=second", "r/5=x"), labels(all()), "the later commit wins");
    }

    @Test
    void everyKindOfWriteConflictsWithAConcurrentRead() {
        Map<String, Consumer<Transaction>> writers = new java.util.LinkedHashMap<>();
        writers.put("set", tx -> tx.set(k("target"), bytes("new")));
        writers.put("clear", tx -> tx.clear(k("target")));
        writers.put("clearRange", tx -> tx.clearRange(k("target"), k("target", "zzz")));
        writers.put("atomic ADD", tx -> tx.mutate(MutationType.ADD, k("target"), le64(1)));
        writers.put("atomic MAX", tx -> tx.mutate(MutationType.MAX, k("target"), le64(1)));
        writers.put("COMPARE_AND_CLEAR", tx -> tx.mutate(MutationType.COMPARE_AND_CLEAR, k("target"), le64(0)));
        for (Map.Entry<String, Consumer<Transaction>> w : writers.entrySet()) {
            put(k("target"), le64(0));
            try (Transaction reader = store().createTransaction()) {
                await(reader.get(k("target")));
                reader.set(k("out"), bytes(w.getKey()));
                write(w.getValue());
                assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(reader.commit()));
            }
            assertNull(get(k("out")), w.getKey());
        }
    }

    @Test
    void aFailedCommitLeavesNothingBehind() {
        put(k("a"), bytes("1"));
        try (Transaction t = store().createTransaction()) {
            await(t.get(k("a")));
            t.set(k("b"), bytes("x"));
            t.mutate(MutationType.ADD, k("c"), le64(1));
            t.clear(k("a"));
            put(k("a"), bytes("2"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
        }
        assertEquals(List.of("a=2"), labels(all()));
    }

    // ---------------------------------------------------------------------------------------------
    // Atomic mutations
    // ---------------------------------------------------------------------------------------------

    private record AtomicCase(String name, byte[] existing, MutationType type, byte[] operand, byte[] expected) {}

    @Test
    void atomicMutationsFollowFoundationDbSemantics() {
        List<AtomicCase> cases = List.of(
                new AtomicCase("add", le64(5), MutationType.ADD, le64(3), le64(8)),
                new AtomicCase("add to missing", null, MutationType.ADD, le64(7), le64(7)),
                new AtomicCase("add negative", le64(10), MutationType.ADD, le64(-1), le64(9)),
                new AtomicCase("add wraps in operand length", ub(0xff), MutationType.ADD, ub(0x01), ub(0x00)),
                new AtomicCase("add to shorter value", ub(0xff, 0x00), MutationType.ADD, ub(1, 0, 0, 0), ub(0x00, 0x01, 0, 0)),
                new AtomicCase("add to longer value truncates", le64(0x0102), MutationType.ADD, ub(0x01), ub(0x03)),
                new AtomicCase("and", ub(0b1100), MutationType.BIT_AND, ub(0b1010), ub(0b1000)),
                new AtomicCase("and on missing stores operand", null, MutationType.BIT_AND, ub(0x0f), ub(0x0f)),
                new AtomicCase("and on shorter value", ub(0xff), MutationType.BIT_AND, ub(0x0f, 0xff), ub(0x0f, 0x00)),
                new AtomicCase("or", ub(0b1100), MutationType.BIT_OR, ub(0b1010), ub(0b1110)),
                new AtomicCase("or on missing", null, MutationType.BIT_OR, ub(0x05), ub(0x05)),
                new AtomicCase("or on longer value truncates", ub(0x01, 0x02), MutationType.BIT_OR, ub(0x10), ub(0x11)),
                new AtomicCase("xor", ub(0b1100), MutationType.BIT_XOR, ub(0b1010), ub(0b0110)),
                new AtomicCase("xor on missing", null, MutationType.BIT_XOR, ub(0x05), ub(0x05)),
                new AtomicCase("max keeps larger operand", le64(5), MutationType.MAX, le64(9), le64(9)),
                new AtomicCase("max keeps larger existing", le64(9), MutationType.MAX, le64(5), le64(9)),
                new AtomicCase("max on missing", null, MutationType.MAX, le64(4), le64(4)),
                new AtomicCase("max is unsigned", le64(-1), MutationType.MAX, le64(1), le64(-1)),
                new AtomicCase("max truncates longer existing", ub(0x00, 0x01), MutationType.MAX, ub(0x10), ub(0x10)),
                new AtomicCase("min keeps smaller existing", le64(5), MutationType.MIN, le64(9), le64(5)),
                new AtomicCase("min keeps smaller operand", le64(9), MutationType.MIN, le64(5), le64(5)),
                new AtomicCase("min on missing stores operand", null, MutationType.MIN, le64(4), le64(4)),
                new AtomicCase("min is unsigned", le64(-1), MutationType.MIN, le64(1), le64(1)),
                new AtomicCase("min extends shorter existing", ub(0x05), MutationType.MIN, ub(0x00, 0x01), ub(0x05, 0x00)),
                new AtomicCase("byte max", bytes("abc"), MutationType.BYTE_MAX, bytes("abd"), bytes("abd")),
                new AtomicCase("byte max keeps existing", bytes("b"), MutationType.BYTE_MAX, bytes("abc"), bytes("b")),
                new AtomicCase("byte max prefix is smaller", bytes("ab"), MutationType.BYTE_MAX, bytes("abc"), bytes("abc")),
                new AtomicCase("byte max is unsigned", ub(0x80), MutationType.BYTE_MAX, ub(0x7f), ub(0x80)),
                new AtomicCase("byte max on missing", null, MutationType.BYTE_MAX, bytes("x"), bytes("x")),
                new AtomicCase("byte min", bytes("abc"), MutationType.BYTE_MIN, bytes("abd"), bytes("abc")),
                new AtomicCase("byte min prefix is smaller", bytes("abc"), MutationType.BYTE_MIN, bytes("ab"), bytes("ab")),
                new AtomicCase("byte min is unsigned", ub(0x80), MutationType.BYTE_MIN, ub(0x7f), ub(0x7f)),
                new AtomicCase("byte min on missing", null, MutationType.BYTE_MIN, bytes("x"), bytes("x")),
                new AtomicCase("compare and clear equal", bytes("x"), MutationType.COMPARE_AND_CLEAR, bytes("x"), null),
                new AtomicCase("compare and clear different", bytes("x"), MutationType.COMPARE_AND_CLEAR, bytes("y"), bytes("x")),
                new AtomicCase("compare and clear missing", null, MutationType.COMPARE_AND_CLEAR, bytes("x"), null));
        write(tx -> {
            for (AtomicCase c : cases) {
                if (c.existing() != null) {
                    tx.set(k("atomic", c.name()), c.existing());
                }
            }
        });
        write(tx -> cases.forEach(c -> tx.mutate(c.type(), k("atomic", c.name()), c.operand())));
        List<String> failures = new ArrayList<>();
        for (AtomicCase c : cases) {
            byte[] actual = get(k("atomic", c.name()));
            if (!Arrays.equals(c.expected(), actual)) {
                failures.add(c.name() + ": expected " + Keys.printable(c.expected()) + " but was " + Keys.printable(actual));
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void atomicMutationsInOneTransactionCombineInOrder() {
        write(tx -> {
            tx.mutate(MutationType.ADD, k("a"), le64(1));
            tx.mutate(MutationType.ADD, k("a"), le64(2));
            tx.set(k("b"), le64(100));
            tx.mutate(MutationType.ADD, k("b"), le64(1));
            tx.mutate(MutationType.ADD, k("c"), le64(5));
            tx.clear(k("c"));
            tx.mutate(MutationType.MIN, k("d"), le64(9));
            tx.mutate(MutationType.MIN, k("d"), le64(3));
            tx.mutate(MutationType.ADD, k("e"), le64(1));
            tx.set(k("e"), le64(42));
        });
        assertEquals(3, fromLe64(get(k("a"))));
        assertEquals(101, fromLe64(get(k("b"))));
        assertNull(get(k("c")));
        assertEquals(3, fromLe64(get(k("d"))));
        assertEquals(42, fromLe64(get(k("e"))), "a set after a mutation replaces it");
    }

    @Test
    void atomicMutationsAddNoReadConflicts() {
        put(k("ctr"), le64(0));
        try (Transaction t1 = store().createTransaction(); Transaction t2 = store().createTransaction()) {
            t1.getReadVersion();
            t2.getReadVersion();
            for (Transaction t : List.of(t1, t2)) {
                t.mutate(MutationType.ADD, k("ctr"), le64(1));
                t.mutate(MutationType.MAX, k("hwm"), le64(t == t1 ? 10 : 20));
                t.mutate(MutationType.BYTE_MIN, k("first"), bytes(t == t1 ? "b" : "a"));
            }
            await(t2.commit());
            await(t1.commit());
        }
        assertEquals(2, fromLe64(get(k("ctr"))));
        assertEquals(20, fromLe64(get(k("hwm"))));
        assertEquals("a", string(get(k("first"))));
    }

    @Test
    void concurrentAtomicAddsNeverRetryAndNeverLoseCounts() {
        int threads = 8;
        int perThread = 25;
        AtomicInteger attempts = new AtomicInteger();
        runConcurrently(threads, 90, w -> {
            for (int i = 0; i < perThread; i++) {
                int n = i;
                store().run(tx -> {
                    attempts.incrementAndGet();
                    tx.mutate(MutationType.ADD, k("hits"), le64(1));
                    tx.set(k("by", w, n), bytes("x"));
                    return null;
                });
            }
        });
        assertEquals(threads * perThread, fromLe64(get(k("hits"))));
        assertEquals(threads * perThread, attempts.get(), "blind atomic writes never conflict, so nothing was retried");
    }

    @Test
    void versionstampedKeyWithOffsetOutsideTheKeyIsInvalid() {
        byte[] badKey = concat(k("vs"), ub(0xe8, 0x03, 0, 0)); // offset 1000, far past the key
        byte[] badValue = concat(bytes("short"), ub(0xe8, 0x03, 0, 0));
        assertStorageError(StorageErrorCode.INVALID_MUTATION, () -> store().run(tx -> {
            tx.set(k("sibling"), bytes("x"));
            tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY, badKey, bytes("v"));
            return null;
        }));
        assertStorageError(StorageErrorCode.INVALID_MUTATION, () -> store().run(tx -> {
            tx.set(k("sibling"), bytes("x"));
            tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("vv"), badValue);
            return null;
        }));
        assertTrue(all().isEmpty(), "nothing of a rejected transaction is committed");
    }

    // ---------------------------------------------------------------------------------------------
    // Versionstamps
    // ---------------------------------------------------------------------------------------------

    @Test
    void versionstampedKeyRoundTrips() {
        Subspace log = space.subspace(Tuple.from("log"));
        byte[] versionstamp;
        long committed;
        try (Transaction tx = store().createTransaction()) {
            tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                    packWithVersionstamp(log.getKey(), Tuple.from(Versionstamp.incomplete(7), "tail")), bytes("payload"));
            CompletableFuture<byte[]> vs = tx.getVersionstamp();
            await(tx.commit());
            versionstamp = await(vs);
            committed = tx.getCommittedVersion();
        }
        assertEquals(StorageLimits.VERSIONSTAMP_BYTES, versionstamp.length);
        assertEquals(committed, ByteBuffer.wrap(versionstamp, 0, 8).getLong(),
                "the versionstamp starts with the big-endian commit version");
        List<KeyValue> entries = range(log);
        assertEquals(1, entries.size());
        Tuple t = log.unpack(entries.get(0).key());
        Versionstamp stamp = t.getVersionstamp(0);
        assertTrue(stamp.isComplete());
        assertArrayEquals(versionstamp, stamp.getTransactionVersion());
        assertEquals(7, stamp.getUserVersion());
        assertEquals("tail", t.getString(1));
        assertEquals("payload", string(entries.get(0).value()));
    }

    @Test
    void versionstampedValueRoundTrips() {
        byte[] versionstamp;
        try (Transaction tx = store().createTransaction()) {
            tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("pointer"),
                    packWithVersionstamp(Tuple.from(Versionstamp.incomplete(3), "payload")));
            CompletableFuture<byte[]> vs = tx.getVersionstamp();
            await(tx.commit());
            versionstamp = await(vs);
        }
        Tuple value = Tuple.fromBytes(get(k("pointer")));
        assertEquals(Versionstamp.complete(versionstamp, 3), value.getVersionstamp(0));
        assertEquals("payload", value.getString(1));
    }

    @Test
    void versionstampedOperationsInOneTransactionShareItsVersionstamp() {
        Subspace log = space.subspace(Tuple.from("log"));
        byte[] versionstamp;
        try (Transaction tx = store().createTransaction()) {
            // Written out of order; user versions order them within the transaction.
            tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY, packWithVersionstamp(log.getKey(), Tuple.from(Versionstamp.incomplete(2))), bytes("second"));
            tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY, packWithVersionstamp(log.getKey(), Tuple.from(Versionstamp.incomplete(1))), bytes("first"));
            tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("latest"), packWithVersionstamp(Tuple.from(Versionstamp.incomplete(0))));
            CompletableFuture<byte[]> vs = tx.getVersionstamp();
            await(tx.commit());
            versionstamp = await(vs);
        }
        List<KeyValue> entries = range(log);
        assertEquals(List.of("first", "second"), entries.stream().map(kv -> string(kv.value())).collect(Collectors.toList()));
        for (KeyValue kv : entries) {
            assertArrayEquals(versionstamp, log.unpack(kv.key()).getVersionstamp(0).getTransactionVersion());
        }
        assertArrayEquals(versionstamp, Tuple.fromBytes(get(k("latest"))).getVersionstamp(0).getTransactionVersion());
    }

    @Test
    void versionstampsIncreaseStrictlyWithCommitOrder() {
        byte[] previous = null;
        for (int i = 0; i < 20; i++) {
            try (Transaction tx = store().createTransaction()) {
                tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("seq", i), packWithVersionstamp(Tuple.from(Versionstamp.incomplete(0))));
                CompletableFuture<byte[]> vs = tx.getVersionstamp();
                await(tx.commit());
                byte[] current = await(vs);
                if (previous != null) {
                    assertTrue(Keys.compare(previous, current) < 0,
                            "versionstamp " + Keys.printable(current) + " is not after " + Keys.printable(previous));
                }
                previous = current;
            }
        }
    }

    @Test
    void versionstampsOrderManyConcurrentCommits() {
        int threads = 6;
        int perThread = 25;
        Subspace log = space.subspace(Tuple.from("log"));
        Map<String, byte[]> stamps = new ConcurrentHashMap<>();
        runConcurrently(threads, 90, w -> {
            byte[] previous = null;
            for (int i = 0; i < perThread; i++) {
                int n = i;
                byte[] vs = store().run(tx -> {
                    tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                            packWithVersionstamp(log.getKey(), Tuple.from(Versionstamp.incomplete(0))),
                            Tuple.from(w, n).pack());
                    return tx.getVersionstamp();
                }).join();
                if (previous != null) {
                    assertTrue(Keys.compare(previous, vs) < 0, "versionstamps of one writer increase");
                }
                previous = vs;
                stamps.put(w + "/" + n, vs);
            }
        });
        assertEquals(threads * perThread, stamps.size());
        Set<String> distinct = stamps.values().stream().map(Keys::printable).collect(Collectors.toSet());
        assertEquals(threads * perThread, distinct.size(), "every commit gets its own versionstamp");
        List<KeyValue> entries = range(log);
        assertEquals(threads * perThread, entries.size());
        byte[] previous = null;
        for (KeyValue kv : entries) {
            byte[] vs = log.unpack(kv.key()).getVersionstamp(0).getTransactionVersion();
            Tuple who = Tuple.fromBytes(kv.value());
            assertArrayEquals(stamps.get(who.getLong(0) + "/" + who.getLong(1)), vs, "log entry " + who);
            if (previous != null) {
                assertTrue(Keys.compare(previous, vs) < 0);
            }
            previous = vs;
        }
    }

    @Test
    void readingAVersionstampedValueInTheSameTransactionIsUnreadable() {
        try (Transaction tx = store().createTransaction()) {
            tx.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("pointer"), packWithVersionstamp(Tuple.from(Versionstamp.incomplete(0))));
            assertStorageError(StorageErrorCode.ACCESSED_UNREADABLE, () -> await(tx.get(k("pointer"))));
            assertStorageError(StorageErrorCode.ACCESSED_UNREADABLE, () -> await(tx.getRange(prefix, Keys.prefixEnd(prefix))));
            assertNull(await(tx.get(k("elsewhere"))), "other keys stay readable");
        }
        assertTrue(all().isEmpty());
    }

    @Test
    void readingWhereAVersionstampedKeyMayLandIsUnreadable() {
        // FoundationDB makes the whole range of keys the versionstamped key could become unreadable
        // until commit (rather than pretending the key is absent): a range read reaching it fails.
        Subspace log = space.subspace(Tuple.from("log"));
        try (Transaction tx = store().createTransaction()) {
            tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                    packWithVersionstamp(log.getKey(), Tuple.from(Versionstamp.incomplete(0))), bytes("x"));
            assertStorageError(StorageErrorCode.ACCESSED_UNREADABLE,
                    () -> await(tx.getRange(log.range().begin, log.range().end)));
            assertNull(await(tx.get(k("elsewhere"))), "keys the versionstamped write cannot become stay readable");
        }
        assertTrue(all().isEmpty());
    }

    @Test
    void versionstampOfAFailedCommitFails() {
        try (Transaction t = store().createTransaction()) {
            await(t.get(k("guard")));
            t.mutate(MutationType.SET_VERSIONSTAMPED_VALUE, k("pointer"), packWithVersionstamp(Tuple.from(Versionstamp.incomplete(0))));
            CompletableFuture<byte[]> vs = t.getVersionstamp();
            put(k("guard"), bytes("changed"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
            assertFailsWithin(vs, 10, "versionstamp of a transaction that did not commit");
        }
        assertNull(get(k("pointer")));
    }

    // ---------------------------------------------------------------------------------------------
    // Watches (FoundationDB may fire a watch spuriously, so "not fired" is only checked before any
    // change of the watched key, over a short wait)
    // ---------------------------------------------------------------------------------------------

    @Test
    void watchFiresWhenTheValueChanges() {
        put(k("w"), bytes("1"));
        CompletableFuture<Void> watch = store().run(tx -> tx.watch(k("w")));
        assertNotCompletedWithin(watch, 300, "watch before any change");
        put(k("other"), bytes("x"));
        put(k("w", "child"), bytes("x"));
        assertNotCompletedWithin(watch, 300, "watch after writes to other keys");
        put(k("w"), bytes("2"));
        await(watch);
    }

    @Test
    void watchOnAMissingKeyFiresWhenItIsSet() {
        CompletableFuture<Void> watch = store().run(tx -> tx.watch(k("absent")));
        assertNotCompletedWithin(watch, 300, "watch on a missing key");
        put(k("absent"), bytes("now here"));
        await(watch);
    }

    @Test
    void watchFiresWhenTheKeyIsCleared() {
        put(k("w1"), bytes("1"));
        put(k("w2"), bytes("1"));
        put(k("w3"), le64(5));
        CompletableFuture<Void> byClear = store().run(tx -> tx.watch(k("w1")));
        CompletableFuture<Void> byClearRange = store().run(tx -> tx.watch(k("w2")));
        CompletableFuture<Void> byAtomic = store().run(tx -> tx.watch(k("w3")));
        assertNotCompletedWithin(byClear, 200, "watch before any change");
        put(k("other"), bytes("x"));
        write(tx -> tx.clear(k("w1")));
        write(tx -> tx.clearRange(k("w2"), k("w3")));
        write(tx -> tx.mutate(MutationType.ADD, k("w3"), le64(1)));
        await(byClear);
        await(byClearRange);
        await(byAtomic);
    }

    @Test
    void watchComparesWithTheValueItsOwnTransactionCommitted() {
        put(k("w"), bytes("old"));
        CompletableFuture<Void> watch = store().run(tx -> {
            tx.set(k("w"), bytes("mine"));
            return tx.watch(k("w"));
        });
        assertNotCompletedWithin(watch, 300, "watch on the value its transaction wrote");
        put(k("w"), bytes("theirs"));
        await(watch);
    }

    @Test
    void manyWatchesOnOneKeyAllFire() {
        List<CompletableFuture<Void>> watches = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            watches.add(store().run(tx -> tx.watch(k("hot"))));
        }
        put(k("hot"), bytes("changed"));
        for (CompletableFuture<Void> w : watches) {
            await(w);
        }
    }

    @Test
    void watchIsCancelledWhenTheCommitFails() {
        try (Transaction t = store().createTransaction()) {
            await(t.get(k("guard")));
            CompletableFuture<Void> watch = t.watch(k("w"));
            t.set(k("out"), bytes("x"));
            put(k("guard"), bytes("changed"));
            assertStorageError(StorageErrorCode.NOT_COMMITTED, () -> await(t.commit()));
            assertFailsWithin(watch, 10, "watch of a transaction whose commit failed");
        }
        assertNull(get(k("out")));
    }

    @Test
    void watchIsCancelledWhenItsTransactionIsCancelled() {
        try (Transaction t = store().createTransaction()) {
            CompletableFuture<Void> watch = t.watch(k("w"));
            t.cancel();
            assertFailsWithin(watch, 10, "watch of a cancelled transaction");
        }
        Transaction closedUncommitted = store().createTransaction();
        CompletableFuture<Void> watch = closedUncommitted.watch(k("w"));
        closedUncommitted.close();
        assertFailsWithin(watch, 10, "watch of a transaction closed without commit");
    }

    // ---------------------------------------------------------------------------------------------
    // Retry behaviour
    // ---------------------------------------------------------------------------------------------

    @Test
    void runRetriesTheBodyAfterAConflict() {
        put(k("x"), bytes("initial"));
        AtomicInteger attempts = new AtomicInteger();
        int result = store().run(tx -> {
            int attempt = attempts.incrementAndGet();
            String seen = string(await(tx.get(k("x"))));
            if (attempt <= 3) {
                put(k("x"), bytes("changed by " + attempt)); // provokes NOT_COMMITTED for this attempt
            }
            tx.set(k("y"), bytes("attempt " + attempt + " saw " + seen));
            return attempt;
        });
        assertEquals(4, result);
        assertEquals(4, attempts.get());
        assertEquals("attempt 4 saw changed by 3", string(get(k("y"))));
    }

    @Test
    void retryableErrorThrownByTheBodyIsRetried() {
        AtomicInteger attempts = new AtomicInteger();
        String result = store().run(tx -> {
            if (attempts.incrementAndGet() == 1) {
                tx.set(k("first"), bytes("never committed"));
                throw new StorageException(StorageErrorCode.NOT_COMMITTED, "provoked by the test");
            }
            tx.set(k("second"), bytes("committed"));
            return "done";
        });
        assertEquals("done", result);
        assertEquals(2, attempts.get());
        assertEquals(List.of("second=committed"), labels(all()));
    }

    @Test
    void nonRetryableExceptionFromTheBodyPropagatesUnchangedAndCommitsNothing() {
        IllegalStateException boom = new IllegalStateException("layer refused");
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store().run(tx -> {
            attempts.incrementAndGet();
            tx.set(k("a"), bytes("partial"));
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(1, attempts.get());

        StorageException tooLarge = assertStorageError(StorageErrorCode.VALUE_TOO_LARGE, () -> store().run(tx -> {
            attempts.incrementAndGet();
            tx.set(k("b"), bytes("partial"));
            tx.set(k("c"), new byte[StorageLimits.MAX_VALUE_BYTES + 1]);
            return null;
        }));
        assertFalse(tooLarge.isRetryable());
        assertEquals(2, attempts.get(), "a non-retryable storage error is not retried");
        assertTrue(all().isEmpty(), "nothing of a failed body is committed");
    }

    @Test
    void runAsyncCommitsAndRetries() {
        put(k("x"), bytes("initial"));
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Integer> result = store().runAsync(tx -> {
            int attempt = attempts.incrementAndGet();
            CompletableFuture<byte[]> read = tx.get(k("x"));
            if (attempt == 1) {
                await(read); // fix the read version first, then commit a conflicting write
                put(k("x"), bytes("changed"));
            }
            return read.thenApply(v -> {
                tx.set(k("y"), bytes("attempt " + attempt + " saw " + string(v)));
                return attempt;
            });
        });
        assertEquals(2, await(result));
        assertEquals(2, attempts.get());
        assertEquals("attempt 2 saw changed", string(get(k("y"))));
    }

    @Test
    void runAsyncPropagatesBodyFailuresAndCommitsNothing() {
        IllegalArgumentException boom = new IllegalArgumentException("bad request");
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Object> failedFuture = store().runAsync(tx -> {
            attempts.incrementAndGet();
            tx.set(k("a"), bytes("partial"));
            return CompletableFuture.failedFuture(boom);
        });
        assertSame(boom, assertFailsWithin(failedFuture, 10, "runAsync with a failing body"));
        CompletableFuture<Object> thrownSync = store().runAsync(tx -> {
            attempts.incrementAndGet();
            tx.set(k("b"), bytes("partial"));
            throw boom;
        });
        assertSame(boom, assertFailsWithin(thrownSync, 10, "runAsync with a throwing body"));
        assertEquals(2, attempts.get());
        assertTrue(all().isEmpty());
    }

    // ---------------------------------------------------------------------------------------------
    // Limits and bad input
    // ---------------------------------------------------------------------------------------------

    @Test
    void keysUpToTenThousandBytesAreAcceptedAndLongerOnesRejected() {
        byte[] largest = concat(prefix, filled(StorageLimits.MAX_KEY_BYTES - prefix.length, 'k'));
        byte[] tooLarge = concat(largest, bytes("k"));
        assertEquals(10_000, largest.length);
        put(largest, bytes("fits"));
        assertEquals("fits", string(get(largest)));
        assertEquals(1, all().size());

        try (Transaction tx = store().createTransaction()) {
            assertStorageError(StorageErrorCode.KEY_TOO_LARGE, () -> tx.set(tooLarge, bytes("x")));
            assertStorageError(StorageErrorCode.KEY_TOO_LARGE, () -> tx.mutate(MutationType.ADD, tooLarge, le64(1)));
        }
        assertStorageError(StorageErrorCode.KEY_TOO_LARGE, () -> store().run(tx -> {
            tx.set(k("before"), bytes("x"));
            tx.set(tooLarge, bytes("x"));
            return null;
        }));
        assertEquals(1, all().size(), "nothing of the rejected transaction is committed");
    }

    @Test
    void valuesUpToOneHundredThousandBytesAreAcceptedAndLongerOnesRejected() {
        byte[] largest = filled(StorageLimits.MAX_VALUE_BYTES, 'v');
        byte[] tooLarge = filled(StorageLimits.MAX_VALUE_BYTES + 1, 'v');
        put(k("big"), largest);
        assertArrayEquals(largest, get(k("big")));
        try (Transaction tx = store().createTransaction()) {
            assertStorageError(StorageErrorCode.VALUE_TOO_LARGE, () -> tx.set(k("huge"), tooLarge));
            assertStorageError(StorageErrorCode.VALUE_TOO_LARGE, () -> tx.mutate(MutationType.BYTE_MAX, k("huge"), tooLarge));
        }
        assertStorageError(StorageErrorCode.VALUE_TOO_LARGE, () -> store().run(tx -> {
            tx.set(k("before"), bytes("x"));
            tx.set(k("huge"), tooLarge);
            return null;
        }));
        assertEquals(List.of("big"), all().stream().map(kv -> space.unpack(kv.key()).getString(0)).collect(Collectors.toList()));
    }

    @Test
    void transactionsOverTenMegabytesAreRejectedAndLeaveNothing() {
        byte[] value = filled(99_000, 'x');
        AtomicInteger failedAt = new AtomicInteger(-1);
        List<Long> sizes = new ArrayList<>();
        assertStorageError(StorageErrorCode.TRANSACTION_TOO_LARGE, () -> store().run(tx -> {
            sizes.clear();
            for (int i = 0; i < 200; i++) {
                failedAt.set(i);
                tx.set(k("big", i), value);
                sizes.add(tx.approximateSize());
            }
            failedAt.set(-1);
            return null;
        }));
        // 99 KB values: the limit is passed at about the 101st set, and it is the set that throws.
        assertTrue(failedAt.get() >= 90 && failedAt.get() <= 110, "TRANSACTION_TOO_LARGE raised at set #" + failedAt.get());
        assertTrue(sizes.get(0) >= 99_000, "approximateSize counts the mutation: " + sizes.get(0));
        assertTrue(sizes.get(sizes.size() - 1) <= StorageLimits.MAX_TRANSACTION_BYTES);
        assertTrue(all().isEmpty(), "nothing of an oversized transaction is visible");

        // Just under the limit is fine.
        write(tx -> {
            for (int i = 0; i < 90; i++) {
                tx.set(k("fits", i), value);
            }
        });
        assertEquals(90, store().read(tx -> await(tx.getRangeStartsWith(space.pack(Tuple.from("fits"))))).size());
    }

    @Test
    void systemKeysAreRejected() {
        byte[] system = ub(0xff, 'x');
        put(k("a"), bytes("1"));
        try (Transaction tx = store().createTransaction()) {
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> tx.set(system, bytes("x")));
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> tx.clear(system));
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> tx.mutate(MutationType.ADD, system, le64(1)));
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> await(tx.get(system)));
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> await(tx.getRange(prefix, ub(0xff, 0x00))));
            assertStorageError(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE, () -> tx.clearRange(prefix, ub(0xff, 0x01)));
            // 0xff itself is the end of the user key space and may end a range.
            assertEquals(List.of("a=1"), labels(await(tx.getRange(prefix, Keys.SYSTEM_PREFIX, 1, false))));
        }
        assertEquals(List.of("a=1"), labels(all()));
    }

    @Test
    void invertedRangesAreRejected() {
        put(k("a"), bytes("1"));
        try (Transaction tx = store().createTransaction()) {
            assertStorageError(StorageErrorCode.INVERTED_RANGE, () -> await(tx.getRange(k("b"), k("a"))));
            assertStorageError(StorageErrorCode.INVERTED_RANGE, () -> tx.clearRange(k("b"), k("a")));
            assertStorageError(StorageErrorCode.INVERTED_RANGE, () -> tx.addReadConflictRange(k("b"), k("a")));
            assertStorageError(StorageErrorCode.INVERTED_RANGE, () -> tx.addWriteConflictRange(k("b"), k("a")));
            tx.clearRange(k("a"), k("a")); // empty, not inverted: a no-op
            await(tx.commit());
        }
        assertEquals(List.of("a=1"), labels(all()));
    }

    @Test
    void transactionsOlderThanFiveSecondsFail() throws InterruptedException {
        // The only test that waits out the 5-second rule.
        put(k("a"), bytes("1"));
        try (Transaction reader = store().createTransaction(); Transaction writer = store().createTransaction()) {
            assertEquals("1", string(await(reader.get(k("a")))));
            assertEquals("1", string(await(writer.get(k("a")))));
            writer.set(k("b"), bytes("too late"));
            Thread.sleep(StorageLimits.MAX_TRANSACTION_AGE_MILLIS + 200);
            StorageException e = assertStorageError(StorageErrorCode.TRANSACTION_TOO_OLD, () -> await(reader.get(k("a"))));
            assertTrue(e.isRetryable(), "a new attempt gets a new read version");
            assertStorageError(StorageErrorCode.TRANSACTION_TOO_OLD, () -> await(writer.commit()));
        }
        assertNull(get(k("b")), "a transaction that was too old committed nothing");
        put(k("c"), bytes("fresh transactions work"));
        assertEquals(List.of("a=1", "c=fresh transactions work"), labels(all()));
    }

    @Test
    void transactionCannotBeUsedAfterCommit() {
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("a"), bytes("1"));
            await(tx.commit());
            long version = tx.getCommittedVersion();
            assertTrue(version > 0);
            assertStorageError(StorageErrorCode.USED_DURING_COMMIT, () -> tx.set(k("b"), bytes("2")));
            assertStorageError(StorageErrorCode.USED_DURING_COMMIT, () -> await(tx.get(k("a"))));
            assertStorageError(StorageErrorCode.USED_DURING_COMMIT, () -> await(tx.commit()));
            assertEquals(version, tx.getCommittedVersion());
        }
        assertEquals(List.of("a=1"), labels(all()));
    }

    @Test
    void cancelledOrAbandonedTransactionsCommitNothing() {
        try (Transaction tx = store().createTransaction()) {
            tx.set(k("a"), bytes("1"));
            tx.cancel();
            tx.cancel(); // idempotent
            assertStorageError(StorageErrorCode.TRANSACTION_CANCELLED, () -> await(tx.commit()));
        }
        Transaction abandoned = store().createTransaction();
        abandoned.set(k("b"), bytes("1"));
        abandoned.close();
        abandoned.close(); // idempotent
        assertTrue(all().isEmpty());
    }

    @Test
    void closedStoreRejectsEveryUse() {
        KeyValueStore disposable = openDisposableStore();
        byte[] key = k("closed");
        disposable.run(tx -> {
            tx.set(key, bytes("1"));
            return null;
        });
        Transaction open = disposable.createTransaction();
        assertEquals("1", string(await(open.get(key))));
        disposable.close();
        disposable.close(); // idempotent

        assertStorageError(StorageErrorCode.STORE_CLOSED, disposable::createTransaction);
        AtomicInteger bodies = new AtomicInteger();
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> disposable.run(tx -> bodies.incrementAndGet()));
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> disposable.read(tx -> bodies.incrementAndGet()));
        assertStorageError(StorageErrorCode.STORE_CLOSED,
                () -> await(disposable.runAsync(tx -> CompletableFuture.completedFuture(bodies.incrementAndGet()))));
        assertEquals(0, bodies.get(), "no body runs against a closed store");
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> await(open.get(key)));
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> open.set(key, bytes("2")));
        assertStorageError(StorageErrorCode.STORE_CLOSED, () -> await(open.commit()));
        open.close();
    }

    private static byte[] filled(int length, char c) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) c);
        return b;
    }
}
