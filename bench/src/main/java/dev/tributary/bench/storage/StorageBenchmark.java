package dev.tributary.bench.storage;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.storage.embedded.EmbeddedStoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Commit throughput and latency of the embedded store with fsync on: for each value size × number
 * of concurrent writers, every writer commits one-key transactions in a loop (a fresh key each time,
 * like a log append) for a warm-up and then a measured window. Reports committed transactions/s,
 * MB/s of values (1 MB = 10^6 bytes, as dd reports), group commits (fsyncs) per second and commit
 * latency percentiles, as a Markdown table on stdout and in a results file.
 *
 * <p>Each combination runs on a fresh store in its own sub-directory, deleted afterwards, so that
 * runs do not inherit each other's compaction debt. After each run the data is read back and
 * checked: every acknowledged transaction present, no gaps, values intact.
 *
 * <pre>
 * java -jar bench/target/tributary-bench.jar --data-dir DIR [--warmup-seconds 3] [--measure-seconds 10]
 *      [--value-sizes 1024,65536] [--writers 1,8,64] [--results FILE] [--keep]
 * </pre>
 */
public final class StorageBenchmark {
    /** Abort a run when no commit at all completes for this long. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);
    /** Keys read back per verification transaction: well inside the 5-second transaction limit. */
    private static final int VERIFY_BATCH = 500;

    record Settings(Path dataDir, long warmupSeconds, long measureSeconds, List<Integer> valueSizes,
            List<Integer> writerCounts, Path results, boolean keep) {}

    record Result(int valueSize, int writers, long committed, double seconds, double txPerSecond,
            double megabytesPerSecond, double groupCommitsPerSecond, double txPerGroupCommit, Histogram latency,
            double diskMegabytesPerSecond, double cpuPercent, double otherCpuPercent, long errors, String problem) {}

    private StorageBenchmark() {}

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: StorageBenchmark --data-dir DIR [--warmup-seconds 3] [--measure-seconds 10]"
                    + " [--value-sizes 1024,65536] [--writers 1,8,64] [--results FILE] [--keep]");
            System.exit(2);
            return;
        }
        Files.createDirectories(s.dataDir());
        String started = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        StringBuilder header = new StringBuilder();
        header.append("### Embedded store commit benchmark\n\n")
                .append("- started: ").append(started).append('\n')
                .append("- store: EmbeddedStore (RocksDB), options ").append(EmbeddedStoreOptions.DEFAULTS)
                .append(" (syncCommits=true: WAL fsync before acknowledging)\n")
                .append("- data directory: ").append(s.dataDir().toAbsolutePath()).append(" (a fresh store per row)\n")
                .append("- each transaction: `store.run(tx -> tx.set(freshKey, value))`, key = tuple (\"bench\", writer, seq),")
                .append(" value = random (incompressible) bytes\n")
                .append("- per row: ").append(s.warmupSeconds()).append(" s warm-up, then ").append(s.measureSeconds())
                .append(" s measured; latency = time of the whole `run` call (commit acknowledged)\n")
                .append("- MB/s = value bytes committed (1 MB = 10^6 bytes); disk write MB/s = what this JVM made the")
                .append(" kernel write to the device in the window (/proc/self/io: WAL, memtable flushes, compactions)\n")
                .append("- fsyncs/s = group commits/s (one WAL sync each); CPU % = this JVM's share of all CPUs during the")
                .append(" measured window; others' CPU % = the rest of the machine's busy share (interference)\n")
                .append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB, ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs\n\n");
        System.out.print(header);
        System.out.flush();

        List<Result> results = new ArrayList<>();
        for (int valueSize : s.valueSizes()) {
            for (int writers : s.writerCounts()) {
                System.out.printf(Locale.ROOT, "running: value %s, %d writer(s) ...%n", size(valueSize), writers);
                Result r = runOne(s, valueSize, writers);
                results.add(r);
                System.out.printf(Locale.ROOT, "  %.0f tx/s, %.2f MB/s, p50 %s ms, p99 %s ms%s%n", r.txPerSecond(),
                        r.megabytesPerSecond(), ms(r.latency().getValueAtPercentile(50)),
                        ms(r.latency().getValueAtPercentile(99)), r.problem() == null ? "" : ", PROBLEM: " + r.problem());
            }
        }
        String table = table(results);
        StringBuilder problems = new StringBuilder();
        for (Result r : results) {
            if (r.problem() != null) {
                problems.append("- ").append(size(r.valueSize())).append(" × ").append(r.writers())
                        .append(" writers: ").append(r.problem()).append('\n');
            }
        }
        String report = header + table + (problems.length() == 0 ? "" : "\nProblems:\n\n" + problems);
        System.out.println();
        System.out.print(table);
        if (problems.length() > 0) {
            System.out.print("\nProblems:\n\n" + problems);
        }
        if (s.results() != null) {
            Path parent = s.results().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(s.results(), report, StandardCharsets.UTF_8);
            System.out.println("\nresults written to " + s.results().toAbsolutePath());
        }
        System.exit(problems.length() == 0 ? 0 : 1);
    }

    // ------------------------------------------------------------------ one run

    private static Result runOne(Settings s, int valueSize, int writerCount) throws Exception {
        Path dir = s.dataDir().resolve("run-" + valueSize + "-" + writerCount);
        deleteRecursively(dir);
        EmbeddedStore store = EmbeddedStore.open(dir);
        try {
            return measure(s, store, valueSize, writerCount);
        } finally {
            store.close();
            if (!s.keep()) {
                deleteRecursively(dir);
            }
        }
    }

    private static Result measure(Settings s, EmbeddedStore store, int valueSize, int writerCount) throws Exception {
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
        long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(s.measureSeconds());
        LongAdder completions = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        Writer[] writers = new Writer[writerCount];
        for (int i = 0; i < writerCount; i++) {
            writers[i] = new Writer(store, i, valueSize, measureFrom, measureUntil, completions, firstError);
        }
        for (Writer w : writers) {
            w.thread.start();
        }

        // Watch progress rather than just sleeping, so that a stalled store is reported, not waited on.
        String problem = null;
        EmbeddedStore.Stats statsAtStart = null;
        long cpuAtStart = 0;
        long[] machineAtStart = null;
        long diskAtStart = -1;
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (statsAtStart == null && now >= measureFrom) {
                statsAtStart = store.stats();
                cpuAtStart = processCpuNanos();
                machineAtStart = machineCpuTicks();
                diskAtStart = processWriteBytes();
            }
            if (now >= measureUntil) {
                break;
            }
            long count = completions.sum();
            if (count != lastCount) {
                lastCount = count;
                lastProgress = now;
            } else if (now - lastProgress > STALL_NANOS) {
                problem = "STALL: no commit completed for " + TimeUnit.NANOSECONDS.toSeconds(now - lastProgress)
                        + " s; committer thread: " + threadState("tributary-store-committer");
                break;
            }
            long sleep = Math.min(TimeUnit.MILLISECONDS.toNanos(100),
                    statsAtStart == null ? measureFrom - now : measureUntil - now);
            TimeUnit.NANOSECONDS.sleep(Math.max(sleep, 1));
        }
        EmbeddedStore.Stats statsAtEnd = store.stats();
        long cpuAtEnd = processCpuNanos();
        long[] machineAtEnd = machineCpuTicks();
        long diskAtEnd = processWriteBytes();
        for (Writer w : writers) {
            w.stop = true;
        }
        for (Writer w : writers) {
            w.thread.join(TimeUnit.SECONDS.toMillis(30));
            if (w.thread.isAlive() && problem == null) {
                problem = "STALL: writer " + w.id + " did not finish its last commit within 30 s after the run";
            }
        }

        Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        long committed = 0;
        long errors = 0;
        for (Writer w : writers) {
            latency.add(w.latency);
            committed += w.measured;
            errors += w.errors;
        }
        if (errors > 0 && problem == null) {
            problem = errors + " failed transaction(s); first: " + firstError.get();
        }
        if (problem == null) {
            problem = verify(store, writers, valueSize);
        }
        double seconds = s.measureSeconds();
        long groups = statsAtStart == null ? 0 : statsAtEnd.groupCommits() - statsAtStart.groupCommits();
        long groupedCommits = statsAtStart == null ? 0 : statsAtEnd.commits() - statsAtStart.commits();
        double cpuPercent = cpuAtEnd < 0 || statsAtStart == null ? Double.NaN
                : 100.0 * (cpuAtEnd - cpuAtStart) / (seconds * 1e9 * Runtime.getRuntime().availableProcessors());
        double diskMegabytesPerSecond = diskAtStart < 0 || diskAtEnd < 0 ? Double.NaN
                : (diskAtEnd - diskAtStart) / seconds / 1e6;
        // Whole machine busy share minus ours: other processes competing for CPU (and, likely, the disk).
        double otherCpuPercent = Double.NaN;
        if (machineAtStart != null && machineAtEnd != null && !Double.isNaN(cpuPercent)) {
            long busy = machineAtEnd[0] - machineAtStart[0];
            long total = machineAtEnd[1] - machineAtStart[1];
            otherCpuPercent = total <= 0 ? Double.NaN : Math.max(0, 100.0 * busy / total - cpuPercent);
        }
        return new Result(valueSize, writerCount, committed, seconds, committed / seconds,
                committed * (double) valueSize / seconds / 1e6, groups / seconds,
                groups == 0 ? 0 : groupedCommits / (double) groups, latency, diskMegabytesPerSecond, cpuPercent, otherCpuPercent, errors, problem);
    }

    /** One writer: commits one fresh key per transaction until told to stop. */
    private static final class Writer implements Runnable {
        final int id;
        final Thread thread;
        final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        private final EmbeddedStore store;
        private final byte[] value;
        private final long measureFrom;
        private final long measureUntil;
        private final LongAdder completions;
        private final AtomicReference<String> firstError;
        volatile boolean stop;
        /** Acknowledged commits (all phases); seq numbers 0..acknowledged-1 must be in the store. */
        long acknowledged;
        long measured;
        long errors;

        Writer(EmbeddedStore store, int id, int valueSize, long measureFrom, long measureUntil,
                LongAdder completions, AtomicReference<String> firstError) {
            this.store = store;
            this.id = id;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            this.completions = completions;
            this.firstError = firstError;
            // Random bytes: RocksDB compresses with LZ4, and zeros would flatter the MB/s figure.
            this.value = new byte[valueSize];
            new SplittableRandom(id).nextBytes(value);
            this.thread = new Thread(this, "bench-writer-" + id);
        }

        @Override
        public void run() {
            while (!stop && System.nanoTime() < measureUntil) {
                long seq = acknowledged;
                byte[] key = key(id, seq);
                // The seq in the value lets verification tell a misplaced value from the right one.
                ByteBuffer.wrap(value).putLong(0, seq);
                long t0 = System.nanoTime();
                try {
                    store.run(tx -> {
                        tx.set(key, value);
                        return null;
                    });
                } catch (RuntimeException e) {
                    errors++;
                    firstError.compareAndSet(null, e.toString());
                    return; // A failed store fails every later commit too; stop rather than spin.
                }
                long t1 = System.nanoTime();
                acknowledged++;
                completions.increment();
                if (t1 >= measureFrom && t1 < measureUntil) {
                    latency.recordValue(Math.min(t1 - t0, MAX_LATENCY_NANOS));
                    measured++;
                }
            }
        }
    }

    static byte[] key(int writer, long seq) {
        return Tuple.from("bench", writer, seq).pack();
    }

    /**
     * Reads every writer's keys back in short transactions: exactly seq 0..acknowledged-1, in order,
     * each value of the right size carrying its own seq. Returns a description of the first mismatch.
     */
    private static String verify(EmbeddedStore store, Writer[] writers, int valueSize) {
        for (Writer w : writers) {
            byte[] prefix = Tuple.from("bench", w.id).pack();
            byte[] end = Keys.prefixEnd(prefix);
            byte[] from = prefix;
            long expected = 0;
            while (true) {
                byte[] begin = from;
                List<KeyValue> batch = store.read(tx -> tx.getRange(begin, end, VERIFY_BATCH, false).join());
                for (KeyValue kv : batch) {
                    long seq = Tuple.fromBytes(kv.key()).getLong(2);
                    if (seq != expected) {
                        return "VERIFY: writer " + w.id + " expected seq " + expected + " but found " + seq;
                    }
                    if (kv.value().length != valueSize || ByteBuffer.wrap(kv.value()).getLong(0) != seq) {
                        return "VERIFY: writer " + w.id + " seq " + seq + " has a wrong value ("
                                + kv.value().length + " bytes)";
                    }
                    expected++;
                }
                if (batch.size() < VERIFY_BATCH) {
                    break;
                }
                from = Keys.keyAfter(batch.get(batch.size() - 1).key());
            }
            if (expected != w.acknowledged) {
                return "VERIFY: writer " + w.id + " had " + w.acknowledged + " acknowledged commits but "
                        + expected + " keys are in the store";
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ output

    static String table(List<Result> results) {
        StringBuilder t = new StringBuilder();
        t.append("| value | writers | committed tx/s | MB/s | disk write MB/s | fsyncs/s | tx per fsync | p50 ms | p99 ms | p99.9 ms | max ms | CPU % | others' CPU % | errors |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Histogram h = r.latency();
            t.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.1f | %,.0f | %.1f | %s | %s | %s | %s | %.0f | %.0f | %d |%n",
                    size(r.valueSize()), r.writers(), r.txPerSecond(), r.megabytesPerSecond(), r.diskMegabytesPerSecond(),
                    r.groupCommitsPerSecond(), r.txPerGroupCommit(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), r.cpuPercent(), r.otherCpuPercent(), r.errors()));
        }
        return t.toString();
    }

    private static String size(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    private static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }

    /** Process CPU time (all threads, including RocksDB's background threads), or -1 if unavailable. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Bytes this process caused to be written to the block device (WAL, flushes, compactions), from
     * /proc/self/io (Linux), or -1. Page-cache writeback lags, so it is approximate per window.
     */
    private static long processWriteBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the column shows NaN.
        }
        return -1;
    }

    /** Machine-wide {busy, total} CPU ticks from /proc/stat (Linux), or null. */
    private static long[] machineCpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i != 4 && i != 5) {
                    busy += v;
                }
            }
            return new long[] {busy, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String threadState(String name) {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().equals(name)) {
                StringBuilder sb = new StringBuilder(e.getKey().getState().toString());
                for (int i = 0; i < Math.min(8, e.getValue().length); i++) {
                    sb.append(" at ").append(e.getValue()[i]);
                }
                return sb.toString();
            }
        }
        return "not running";
    }

    // ------------------------------------------------------------------ setup

    private static Settings parse(String[] args) {
        Path dataDir = null;
        long warmup = 3;
        long measure = 10;
        List<Integer> sizes = List.of(1024, 64 * 1024);
        List<Integer> writers = List.of(1, 8, 64);
        Path results = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--keep")) {
                keep = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--data-dir" -> dataDir = Path.of(v);
                case "--warmup-seconds" -> warmup = positive(a, v, true);
                case "--measure-seconds" -> measure = positive(a, v, false);
                case "--value-sizes" -> sizes = ints(a, v);
                case "--writers" -> writers = ints(a, v);
                case "--results" -> results = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        for (int size : sizes) {
            if (size < 8 || size > dev.tributary.storage.StorageLimits.MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("value sizes must be between 8 and "
                        + dev.tributary.storage.StorageLimits.MAX_VALUE_BYTES + " bytes");
            }
        }
        return new Settings(dataDir, warmup, measure, sizes, writers, results, keep);
    }

    private static long positive(String option, String v, boolean zeroAllowed) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, not '" + v + "'");
        }
        if (n < 0 || (n == 0 && !zeroAllowed)) {
            throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "0 or more" : "positive"));
        }
        return n;
    }

    private static List<Integer> ints(String option, String v) {
        try {
            List<Integer> out = Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
            if (out.isEmpty() || out.stream().anyMatch(n -> n <= 0)) {
                throw new IllegalArgumentException(option + " needs positive numbers");
            }
            return out;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs comma-separated numbers, not '" + v + "'");
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
