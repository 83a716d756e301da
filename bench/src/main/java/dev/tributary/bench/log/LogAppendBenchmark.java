package dev.tributary.bench.log;

import dev.tributary.log.AppendResult;
import dev.tributary.log.FetchResult;
import dev.tributary.log.PartitionLog;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.storage.embedded.EmbeddedStoreOptions;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Throughput of the partitioned log on the embedded store with fsync on: for each records-per-batch
 * × partitions × concurrent appenders, appender threads call {@link PartitionLog#append} in a loop
 * (appender i writes partition i mod P) for a warm-up and a measured window; then the whole log is
 * read back with {@link PartitionLog#fetch} (one reader per partition) and checked (offsets dense,
 * every acknowledged record present). Records are 1 KiB of random bytes; batches are built before
 * the clock starts, so the figures are the log's and the store's, not the producer's.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.log.LogAppendBenchmark
 *      --data-dir DIR [--warmup-seconds 2] [--measure-seconds 6] [--record-bytes 1024]
 *      [--records-per-batch 16,64,256] [--partitions 1,6] [--appenders 1,8,32] [--fetch-max-bytes 1048576]
 *      [--results FILE]
 * </pre>
 */
public final class LogAppendBenchmark {
    private static final String TENANT = "bench";
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);

    record Settings(Path dataDir, long warmupSeconds, long measureSeconds, int recordBytes, List<Integer> recordsPerBatch,
            List<Integer> partitions, List<Integer> appenders, int fetchMaxBytes, Path results) {}

    record Result(int recordsPerBatch, int partitions, int appenders, double seconds, long batches, long records,
            double recordsPerSecond, double megabytesPerSecond, double conflictsPerBatch, double batchesPerFsync,
            Histogram latency, double fetchRecordsPerSecond, double fetchMegabytesPerSecond, long fetchedRecords,
            String problem) {}

    private LogAppendBenchmark() {}

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: LogAppendBenchmark --data-dir DIR [--warmup-seconds 2] [--measure-seconds 6]"
                    + " [--record-bytes 1024] [--records-per-batch 16,64,256] [--partitions 1,6] [--appenders 1,8,32]"
                    + " [--fetch-max-bytes 1048576] [--results FILE]");
            System.exit(2);
            return;
        }
        Files.createDirectories(s.dataDir());
        String header = "### Log append / fetch benchmark\n\n"
                + "- started: " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + '\n'
                + "- store: EmbeddedStore (RocksDB), options " + EmbeddedStoreOptions.DEFAULTS
                + " (syncCommits=true: WAL fsync before an append is acknowledged)\n"
                + "- each append: `PartitionLog.append` = one transaction (topic metadata, leader epoch and tail read;"
                + " batch chunks, time index entry, tail written); records of " + s.recordBytes()
                + " random bytes with an 8-byte key\n"
                + "- per row: " + s.warmupSeconds() + " s warm-up, " + s.measureSeconds() + " s measured, fresh store;"
                + " appender i writes partition i mod P; latency = one append call\n"
                + "- MB/s = record value bytes (1 MB = 10^6 bytes); conflicts/batch = NOT_COMMITTED retries per"
                + " acknowledged batch; batches/fsync = acknowledged appends per group commit\n"
                + "- fetch: after the append run, one reader per partition reads the whole partition from offset 0"
                + " with max bytes " + s.fetchMaxBytes() + ", parsing every batch (CRC checked); fetch MB/s counts"
                + " encoded batch bytes\n"
                + "- JVM: " + System.getProperty("java.vm.name") + ' ' + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, "
                + Runtime.getRuntime().availableProcessors() + " CPUs\n\n";
        System.out.print(header);
        List<Result> results = new ArrayList<>();
        for (int rpb : s.recordsPerBatch()) {
            for (int partitions : s.partitions()) {
                for (int appenders : s.appenders()) {
                    System.out.printf(Locale.ROOT, "running: %d records/batch, %d partition(s), %d appender(s) ...%n",
                            rpb, partitions, appenders);
                    Result r = runOne(s, rpb, partitions, appenders);
                    results.add(r);
                    System.out.printf(Locale.ROOT, "  append %.0f rec/s %.1f MB/s p50 %s ms p99 %s ms; fetch %.0f rec/s %.1f MB/s%s%n",
                            r.recordsPerSecond(), r.megabytesPerSecond(), ms(r.latency().getValueAtPercentile(50)),
                            ms(r.latency().getValueAtPercentile(99)), r.fetchRecordsPerSecond(), r.fetchMegabytesPerSecond(),
                            r.problem() == null ? "" : ", PROBLEM: " + r.problem());
                }
            }
        }
        String table = table(results);
        System.out.println();
        System.out.print(table);
        boolean problems = results.stream().anyMatch(r -> r.problem() != null);
        if (s.results() != null) {
            Path parent = s.results().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(s.results(), header + table, StandardCharsets.UTF_8);
            System.out.println("\nresults written to " + s.results().toAbsolutePath());
        }
        System.exit(problems ? 1 : 0);
    }

    private static Result runOne(Settings s, int recordsPerBatch, int partitions, int appenderCount) throws Exception {
        Path dir = s.dataDir().resolve("log-" + recordsPerBatch + "-" + partitions + "-" + appenderCount);
        deleteRecursively(dir);
        EmbeddedStore store = EmbeddedStore.open(dir);
        try {
            TopicStore topics = new TopicStore(store);
            TopicId topic = topics.create(TENANT, "bench", partitions, Map.of("max.message.bytes", "8388608")).id();
            PartitionLog log = new PartitionLog(store);

            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
            long measureUntil = measureFrom + TimeUnit.SECONDS.toNanos(s.measureSeconds());
            AtomicReference<String> firstError = new AtomicReference<>();
            LongAdder measuredBatches = new LongAdder();
            Appender[] appenders = new Appender[appenderCount];
            for (int i = 0; i < appenderCount; i++) {
                appenders[i] = new Appender(log, topic, i % partitions, buildBatch(s.recordBytes(), recordsPerBatch, i),
                        measureFrom, measureUntil, measuredBatches, firstError);
            }
            for (Appender a : appenders) {
                a.thread.start();
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(1, measureFrom - System.nanoTime()));
            EmbeddedStore.Stats statsAtStart = store.stats();
            TimeUnit.NANOSECONDS.sleep(Math.max(1, measureUntil - System.nanoTime()));
            EmbeddedStore.Stats statsAtEnd = store.stats();
            for (Appender a : appenders) {
                a.stop = true;
            }
            for (Appender a : appenders) {
                a.thread.join(TimeUnit.MINUTES.toMillis(2));
            }
            Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
            for (Appender a : appenders) {
                latency.add(a.latency);
            }
            long batches = measuredBatches.sum();
            long records = batches * recordsPerBatch;
            double seconds = s.measureSeconds();
            long groupCommits = statsAtEnd.groupCommits() - statsAtStart.groupCommits();
            long conflicts = statsAtEnd.conflicts() - statsAtStart.conflicts();

            // Read everything back: one reader per partition, checking density and counts.
            long acknowledgedRecords = 0;
            for (Appender a : appenders) {
                acknowledgedRecords += a.acknowledgedBatches * (long) recordsPerBatch;
            }
            long fetchStart = System.nanoTime();
            List<Fetcher> fetchers = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                fetchers.add(new Fetcher(log, topic, p, s.fetchMaxBytes(), firstError));
            }
            fetchers.forEach(f -> f.thread.start());
            long fetchedRecords = 0;
            long fetchedBytes = 0;
            for (Fetcher f : fetchers) {
                f.thread.join();
                fetchedRecords += f.records;
                fetchedBytes += f.valueBytes;
            }
            double fetchSeconds = (System.nanoTime() - fetchStart) / 1e9;
            String problem = firstError.get();
            if (problem == null && fetchedRecords != acknowledgedRecords) {
                problem = "fetched " + fetchedRecords + " records, acknowledged " + acknowledgedRecords;
            }
            return new Result(recordsPerBatch, partitions, appenderCount, seconds, batches, records, records / seconds,
                    records * (double) s.recordBytes() / 1e6 / seconds, batches == 0 ? 0 : conflicts / (double) batches,
                    groupCommits == 0 ? 0 : batches / (double) groupCommits, latency, fetchedRecords / fetchSeconds,
                    fetchedBytes / 1e6 / fetchSeconds, fetchedRecords, problem);
        } finally {
            store.close();
            deleteRecursively(dir);
        }
    }

    private static byte[] buildBatch(int recordBytes, int records, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RecordBatchBuilder builder = RecordBatch.builder();
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[recordBytes];
            random.nextBytes(value);
            builder.append(now, String.format("key-%04d", i).getBytes(StandardCharsets.UTF_8), value);
        }
        return builder.build();
    }

    private static final class Appender implements Runnable {
        final Thread thread = new Thread(this, "log-appender");
        final PartitionLog log;
        final TopicId topic;
        final int partition;
        final byte[] batch;
        final long measureFrom;
        final long measureUntil;
        final LongAdder measuredBatches;
        final AtomicReference<String> firstError;
        final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
        volatile boolean stop;
        long acknowledgedBatches;

        Appender(PartitionLog log, TopicId topic, int partition, byte[] batch, long measureFrom, long measureUntil,
                LongAdder measuredBatches, AtomicReference<String> firstError) {
            this.log = log;
            this.topic = topic;
            this.partition = partition;
            this.batch = batch;
            this.measureFrom = measureFrom;
            this.measureUntil = measureUntil;
            this.measuredBatches = measuredBatches;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            while (!stop) {
                long t0 = System.nanoTime();
                try {
                    AppendResult r = log.append(TENANT, topic, partition, batch, 0);
                    if (r.baseOffset() < 0) {
                        throw new IllegalStateException("negative offset");
                    }
                } catch (RuntimeException e) {
                    firstError.compareAndSet(null, "append failed: " + e);
                    return;
                }
                long t1 = System.nanoTime();
                acknowledgedBatches++;
                // Count appends acknowledged inside the window (started before its end).
                if (t0 >= measureFrom && t1 <= measureUntil) {
                    measuredBatches.increment();
                    latency.recordValue(Math.min(t1 - t0, MAX_LATENCY_NANOS));
                }
            }
        }
    }

    private static final class Fetcher implements Runnable {
        final Thread thread = new Thread(this, "log-fetcher");
        final PartitionLog log;
        final TopicId topic;
        final int partition;
        final int maxBytes;
        final AtomicReference<String> firstError;
        long records;
        long valueBytes;

        Fetcher(PartitionLog log, TopicId topic, int partition, int maxBytes, AtomicReference<String> firstError) {
            this.log = log;
            this.topic = topic;
            this.partition = partition;
            this.maxBytes = maxBytes;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            try {
                long next = 0;
                long end = log.offsets(TENANT, topic, partition).highWatermark();
                while (next < end) {
                    FetchResult f = log.fetch(TENANT, topic, partition, next, maxBytes);
                    for (byte[] bytes : f.batches()) {
                        RecordBatch batch = RecordBatch.parse(bytes);
                        if (batch.baseOffset() != next) {
                            throw new IllegalStateException("expected a batch at " + next + ", got " + batch.baseOffset());
                        }
                        records += batch.recordCount();
                        valueBytes += bytes.length;
                        next = batch.lastOffset() + 1;
                    }
                }
            } catch (RuntimeException e) {
                firstError.compareAndSet(null, "fetch failed: " + e);
            }
        }
    }

    private static String table(List<Result> results) {
        StringBuilder t = new StringBuilder();
        t.append("| records/batch | partitions | appenders | append records/s | append MB/s | p50 ms | p99 ms |")
                .append(" conflicts/batch | batches/fsync | fetch records/s | fetch MB/s |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            t.append(String.format(Locale.ROOT, "| %d | %d | %d | %,.0f | %.1f | %s | %s | %.2f | %.1f | %,.0f | %.1f |%s%n",
                    r.recordsPerBatch(), r.partitions(), r.appenders(), r.recordsPerSecond(), r.megabytesPerSecond(),
                    ms(r.latency().getValueAtPercentile(50)), ms(r.latency().getValueAtPercentile(99)),
                    r.conflictsPerBatch(), r.batchesPerFsync(), r.fetchRecordsPerSecond(), r.fetchMegabytesPerSecond(),
                    r.problem() == null ? "" : " PROBLEM: " + r.problem()));
        }
        return t.toString();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static Settings parse(String[] args) {
        Path dataDir = null;
        long warmup = 2;
        long measure = 6;
        int recordBytes = 1024;
        List<Integer> rpb = List.of(16, 64, 256);
        List<Integer> partitions = List.of(1, 6);
        List<Integer> appenders = List.of(1, 8, 32);
        int fetchMaxBytes = 1 << 20;
        Path results = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--data-dir" -> dataDir = Path.of(v);
                case "--warmup-seconds" -> warmup = Long.parseLong(v);
                case "--measure-seconds" -> measure = Long.parseLong(v);
                case "--record-bytes" -> recordBytes = Integer.parseInt(v);
                case "--records-per-batch" -> rpb = ints(v);
                case "--partitions" -> partitions = ints(v);
                case "--appenders" -> appenders = ints(v);
                case "--fetch-max-bytes" -> fetchMaxBytes = Integer.parseInt(v);
                case "--results" -> results = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        if (measure < 1 || warmup < 0) {
            throw new IllegalArgumentException("--measure-seconds must be >= 1 and --warmup-seconds >= 0");
        }
        return new Settings(dataDir, warmup, measure, recordBytes, rpb, partitions, appenders, fetchMaxBytes, results);
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
