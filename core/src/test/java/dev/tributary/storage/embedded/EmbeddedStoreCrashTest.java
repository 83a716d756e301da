package dev.tributary.storage.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.StorageTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 durability: a child JVM commits numbered multi-key transactions from several threads and
 * is killed with SIGKILL at an arbitrary moment, several times over the same directory. Afterwards
 * every transaction the child saw acknowledged must be fully present, and no transaction may be
 * partly present (each commit is all or nothing, even when the process dies in the middle of a
 * group commit).
 */
class EmbeddedStoreCrashTest {
    private static final int CYCLES = 8;
    private static final int WRITER_THREADS = 8;
    private static final int KEYS_PER_TX = 6;
    /** These cycles are killed on a timer soon after start: during recovery, or during the first commits. */
    private static final Set<Integer> EARLY_KILL_CYCLES = Set.of(2, 5);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void acknowledgedTransactionsSurviveSigkillAndNoneIsHalfThere() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dir = tmp.resolve("store");
        Map<Integer, Set<Long>> acked = new TreeMap<>();
        long started = System.nanoTime();

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Set<Long> cycleAcks = new TreeSet<>();
            acked.put(cycle, cycleAcks);
            try (ChildJvm child = ChildJvm.start(CrashWriter.class, tmp.resolve("writer-" + cycle + ".err"),
                    dir.toString(), Integer.toString(cycle), Integer.toString(WRITER_THREADS), Integer.toString(KEYS_PER_TX))) {
                if (EARLY_KILL_CYCLES.contains(cycle)) {
                    Thread.sleep(50 + random.nextInt(1_200));
                } else {
                    child.awaitLine("READY", Duration.ofSeconds(30));
                    int target = 200 + random.nextInt(500);
                    while (cycleAcks.size() < target) {
                        String line = child.nextLine(Duration.ofSeconds(20));
                        if (line == null) {
                            fail("writer of cycle " + cycle + " ended by itself after " + cycleAcks.size()
                                    + " acks; stderr:\n" + child.stderr());
                        }
                        record(line, cycleAcks, child);
                    }
                }
                child.kill();
                // Lines the child printed before it died are acknowledgements too.
                for (String line = child.nextLine(Duration.ofSeconds(10)); line != null; line = child.nextLine(Duration.ofSeconds(10))) {
                    record(line, cycleAcks, child);
                }
                int exit = child.process().exitValue();
                assertEquals(137, exit, () -> "the writer should have died by SIGKILL; stderr:\n" + child.stderr());
            }
        }

        Verification v = verify(dir);
        System.out.printf("crash test (seed %d): acknowledged per cycle %s, complete per cycle %s, %.1f s%n",
                seed, sizes(acked), v.completeCounts(), (System.nanoTime() - started) / 1e9);
        List<String> problems = new ArrayList<>(v.problems);
        for (Map.Entry<Integer, Set<Long>> e : acked.entrySet()) {
            Set<Long> present = v.complete.getOrDefault(e.getKey(), Set.of());
            for (long n : e.getValue()) {
                if (!present.contains(n)) {
                    problems.add("cycle " + e.getKey() + " transaction " + n + " was acknowledged but is missing");
                }
            }
        }
        assertEquals(List.of(), problems.subList(0, Math.min(problems.size(), 50)), "seed " + seed);
        int totalAcked = acked.values().stream().mapToInt(Set::size).sum();
        assertTrue(totalAcked >= (CYCLES - EARLY_KILL_CYCLES.size()) * 200, "the test exercised enough commits: " + totalAcked);
    }

    private static void record(String line, Set<Long> acks, ChildJvm child) {
        if (line.startsWith("ACK ")) {
            acks.add(Long.parseLong(line.substring(4).trim()));
        } else if (line.startsWith("ERROR")) {
            fail("writer failed: " + line + "\nstderr:\n" + child.stderr());
        }
    }

    private static Map<Integer, Integer> sizes(Map<Integer, Set<Long>> m) {
        Map<Integer, Integer> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    private record Verification(Map<Integer, Set<Long>> complete, List<String> problems) {
        Map<Integer, Integer> completeCounts() {
            return sizes(complete);
        }
    }

    /** Reopens the store and checks every transaction, the counters and the versionstamped log. */
    private static Verification verify(Path dir) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Set<Long>> complete = new TreeMap<>();
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            // (cycle, n) -> the key indexes present with the right value
            Map<List<Long>, Set<Integer>> seen = new HashMap<>();
            List<String> wrongValues = new ArrayList<>();
            store.read(tx -> {
                // read() may run the body again (e.g. after TRANSACTION_TOO_OLD): start clean.
                seen.clear();
                wrongValues.clear();
                Iterator<KeyValue> it = tx.iterate(CrashLayout.TX.range().begin, CrashLayout.TX.range().end, false, 2_000);
                while (it.hasNext()) {
                    KeyValue kv = it.next();
                    Tuple t = CrashLayout.TX.unpack(kv.key());
                    int cycle = (int) t.getLong(0);
                    long n = t.getLong(1);
                    int j = (int) t.getLong(2);
                    if (!Arrays.equals(CrashLayout.value(cycle, n, j), kv.value())) {
                        wrongValues.add("cycle " + cycle + " transaction " + n + " key " + j + " has a wrong value");
                    }
                    seen.computeIfAbsent(List.of((long) cycle, n), x -> new TreeSet<>()).add(j);
                }
                return null;
            });
            problems.addAll(wrongValues);
            for (Map.Entry<List<Long>, Set<Integer>> e : seen.entrySet()) {
                int cycle = e.getKey().get(0).intValue();
                long n = e.getKey().get(1);
                if (e.getValue().size() != KEYS_PER_TX) {
                    problems.add("cycle " + cycle + " transaction " + n + " is half there: keys " + e.getValue());
                } else {
                    complete.computeIfAbsent(cycle, x -> new TreeSet<>()).add(n);
                }
            }
            for (int c = 0; c < CYCLES; c++) {
                int cycle = c;
                byte[] count = store.read(tx -> tx.get(CrashLayout.COUNT.pack(Tuple.from(cycle))).join());
                long counted = count == null ? 0 : StorageTestSupport.fromLe64(count);
                int present = complete.getOrDefault(cycle, Set.of()).size();
                if (counted != present) {
                    problems.add("cycle " + cycle + ": counter says " + counted + " transactions, " + present + " are present");
                }
            }
            // The log, in versionstamp order: each complete transaction once, cycles never going back
            // (versionstamps keep increasing across crash and recovery).
            List<KeyValue> log = store.read(tx -> tx.getRange(CrashLayout.LOG.range().begin, CrashLayout.LOG.range().end).join());
            Map<Integer, Set<Long>> logged = new TreeMap<>();
            int lastCycle = -1;
            for (KeyValue kv : log) {
                Tuple who = Tuple.fromBytes(kv.value());
                int cycle = (int) who.getLong(0);
                long n = who.getLong(1);
                if (cycle < lastCycle) {
                    problems.add("log entry of cycle " + cycle + " transaction " + n + " sorts after cycle " + lastCycle
                            + ": versionstamps went back after a crash");
                }
                lastCycle = Math.max(lastCycle, cycle);
                if (!logged.computeIfAbsent(cycle, x -> new TreeSet<>()).add(n)) {
                    problems.add("cycle " + cycle + " transaction " + n + " is logged twice");
                }
            }
            if (!logged.equals(complete)) {
                problems.add("versionstamped log " + sizes(logged) + " does not match the complete transactions " + sizes(complete));
            }
            // The recovered store takes new commits.
            store.run(tx -> {
                tx.set(CrashLayout.ROOT.pack(Tuple.from("after")), new byte[] {1});
                return null;
            });
        }
        return new Verification(complete, problems);
    }
}
