package dev.tributary.bench.record;

import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost and effect of record batch compression, single-threaded, in memory: for each codec (NONE,
 * LZ4, ZSTD) it measures
 * <ul>
 *   <li><b>build</b>: append the records of a batch and {@link RecordBatchBuilder#build()} it
 *       (what a producer does; includes compressing);
 *   <li><b>parse</b>: {@link RecordBatch#parse} (what the server does on produce: CRC, decompression,
 *       validation of every record);
 *   <li><b>parse + read</b>: parse and iterate every record (what a consumer does);
 *   <li>the <b>ratio</b>: uncompressed batch bytes / stored batch bytes.
 * </ul>
 * Throughput is in MB/s (10^6 bytes) of <em>uncompressed</em> batch bytes, so the codecs compare on
 * the same work; it is also given per second of the benchmark thread's CPU time (MB/CPU-s), which
 * varies less when other processes share the machine. Records are JSON-ish order events (random ids, names, amounts, free text) of
 * exactly {@code --record-bytes}, generated once from a fixed seed; batches cycle through a pool
 * of distinct records. Each phase runs a warm-up then a measured window; before measuring, every
 * built batch is parsed and compared with its source records.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.record.CompressionBenchmark
 *      [--records-per-batch 100] [--record-bytes 1024] [--batches 200] [--warmup-seconds 2] [--measure-seconds 5]
 *      [--codecs NONE,LZ4,ZSTD]
 * </pre>
 */
public final class CompressionBenchmark {

    record Settings(int recordsPerBatch, int recordBytes, int batches, long warmupSeconds, long measureSeconds,
            List<CompressionCodec> codecs) {}

    /** One codec's results; throughputs are in uncompressed bytes per second. */
    record Row(CompressionCodec codec, double ratio, double storedBytesPerBatch, double uncompressedBytesPerBatch,
            Rate build, Rate parse, Rate read) {

        double mbps(Rate r) {
            return r.perSecond() * uncompressedBytesPerBatch / 1e6;
        }

        /** Throughput per second of the benchmark thread's CPU time: less sensitive to other load. */
        double mbPerCpuSecond(Rate r) {
            return mbps(r) / r.cpuShare();
        }
    }

    /** Operations per second, and the share of the window the benchmark thread was on a CPU. */
    record Rate(double perSecond, double cpuShare) {}

    private static final String[] FIRST = {"Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances",
        "Edsger", "Radia", "Tim", "Sophie", "Niklaus", "Hedy", "Alan", "Katherine"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
        "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Wilson", "Wirth", "Lamarr", "Turing", "Johnson"};
    private static final String[] CITIES = {"Berlin", "Lisbon", "Toronto", "Osaka", "Nairobi", "Lyon", "Austin",
        "Krakow", "Porto", "Melbourne", "Utrecht", "Valparaiso"};
    private static final String[] PRODUCTS = {"espresso beans 1kg", "ceramic pour-over", "burr grinder", "oat milk 6x1l",
        "paper filters 100", "gooseneck kettle", "travel mug", "descaler", "cold brew jar", "milk frother"};
    private static final String[] STATUS = {"CREATED", "CONFIRMED", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"};
    private static final String[] WORDS = ("please leave the parcel at the back door ring twice fragile handle with care "
            + "gift wrap requested customer called about delivery window invoice to company address keep receipt "
            + "replacement for damaged item priority shipping weekend delivery not possible").split(" ");

    private CompressionBenchmark() {}

    public static void main(String[] args) {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: CompressionBenchmark [--records-per-batch 100] [--record-bytes 1024] [--batches 200]"
                    + " [--warmup-seconds 2] [--measure-seconds 5] [--codecs NONE,LZ4,ZSTD]");
            System.exit(2);
            return;
        }
        byte[][] keys = new byte[s.recordsPerBatch() * s.batches()][];
        byte[][] values = new byte[keys.length][];
        SplittableRandom random = new SplittableRandom(20261123);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ("order-" + (1_000_000 + random.nextInt(9_000_000))).getBytes(StandardCharsets.UTF_8);
            values[i] = jsonRecord(random, s.recordBytes());
        }
        long baseTimestamp = 1_795_000_000_000L;

        System.out.println("### Record batch compression benchmark\n");
        System.out.println("- load average at the start: " + loadAverage());
        System.out.println("- started: " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, one benchmark thread");
        System.out.println("- " + s.recordsPerBatch() + " records of " + s.recordBytes() + " B JSON-ish values per batch, "
                + s.batches() + " distinct batches, warm-up " + s.warmupSeconds() + " s and " + s.measureSeconds()
                + " s measured per phase; MB/s = 10^6 uncompressed batch bytes per second");
        System.out.println("- sample value: " + new String(values[0], 0, Math.min(160, values[0].length), StandardCharsets.UTF_8)
                + "...\n");

        List<Row> rows = new ArrayList<>();
        for (CompressionCodec codec : s.codecs()) {
            rows.add(measure(codec, s, keys, values, baseTimestamp));
        }
        System.out.println("| codec | ratio | stored bytes / batch | build MB/s | parse MB/s | parse + read MB/s"
                + " | CPU share build / parse / read | build MB/CPU-s | parse MB/CPU-s | parse + read MB/CPU-s |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %,.0f | %,.0f | %,.0f | %,.0f | %.0f / %.0f / %.0f %% | %,.0f | %,.0f | %,.0f |%n",
                    r.codec(), r.ratio(), r.storedBytesPerBatch(), r.mbps(r.build()), r.mbps(r.parse()), r.mbps(r.read()),
                    100 * r.build().cpuShare(), 100 * r.parse().cpuShare(), 100 * r.read().cpuShare(),
                    r.mbPerCpuSecond(r.build()), r.mbPerCpuSecond(r.parse()), r.mbPerCpuSecond(r.read()));
        }
        System.out.println("\nload average at the end: " + loadAverage());
    }

    private static Row measure(CompressionCodec codec, Settings s, byte[][] keys, byte[][] values, long baseTimestamp) {
        int n = s.recordsPerBatch();
        byte[][] batches = new byte[s.batches()][];
        long uncompressedPerRound = 0;
        long storedPerRound = 0;
        for (int b = 0; b < s.batches(); b++) {
            RecordBatchBuilder builder = build(codec, keys, values, b * n, n, baseTimestamp);
            uncompressedPerRound += builder.sizeInBytes();
            batches[b] = builder.build();
            storedPerRound += batches[b].length;
            verify(batches[b], codec, keys, values, b * n, n);
        }
        double uncompressedPerBatch = (double) uncompressedPerRound / s.batches();

        long[] sink = new long[1];
        // build: append + build (compress) a batch
        Rate build = rate(s, () -> {
            int b = (int) (sink[0]++ % s.batches());
            byte[] built = build(codec, keys, values, b * n, n, baseTimestamp).build();
            sink[0] += built.length & 1;
        });
        // parse: CRC, decompression, validation of every record
        Rate parse = rate(s, () -> {
            int b = (int) (sink[0]++ % s.batches());
            sink[0] += RecordBatch.parse(batches[b]).recordCount() & 1;
        });
        // parse + read: what a consumer does with each fetched batch
        Rate read = rate(s, () -> {
            int b = (int) (sink[0]++ % s.batches());
            for (Record r : RecordBatch.parse(batches[b])) {
                sink[0] += r.value().length & 1;
            }
        });
        if (sink[0] == 42) {
            System.out.println(); // keeps the JIT from discarding the work
        }
        return new Row(codec, (double) uncompressedPerRound / storedPerRound, (double) storedPerRound / s.batches(),
                uncompressedPerBatch, build, parse, read);
    }

    private static RecordBatchBuilder build(CompressionCodec codec, byte[][] keys, byte[][] values, int from, int n,
            long baseTimestamp) {
        RecordBatchBuilder builder = RecordBatch.builder().compression(codec);
        for (int i = 0; i < n; i++) {
            builder.append(baseTimestamp + i, keys[from + i], values[from + i]);
        }
        return builder;
    }

    private static void verify(byte[] batch, CompressionCodec codec, byte[][] keys, byte[][] values, int from, int n) {
        RecordBatch parsed = RecordBatch.parse(batch);
        if (parsed.compression() != codec || parsed.recordCount() != n) {
            throw new IllegalStateException("built " + parsed + ", expected " + n + " records with " + codec);
        }
        int i = 0;
        for (Record r : parsed) {
            if (!Arrays.equals(keys[from + i], r.key()) || !Arrays.equals(values[from + i], r.value())) {
                throw new IllegalStateException(codec + ": record " + i + " does not read back as written");
            }
            i++;
        }
    }

    /**
     * Operations per second of {@code op} over the measured window, after the warm-up. The CPU share
     * (thread CPU time / wall time) tells how much other processes took: below ~95%, the figure is
     * a lower bound.
     */
    private static Rate rate(Settings s, Runnable op) {
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
        while (System.nanoTime() < warmupEnd) {
            op.run();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(s.measureSeconds());
        long ops = 0;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                op.run();
            }
            ops += 16;
            now = System.nanoTime();
        } while (now < end);
        double cpuShare = (threads.getCurrentThreadCpuTime() - cpuStart) / (double) (now - start);
        return new Rate(ops / ((now - start) / 1e9), cpuShare);
    }

    /** An order event as JSON of exactly {@code bytes} bytes (ASCII): structured fields, then free-text notes. */
    static byte[] jsonRecord(SplittableRandom random, int bytes) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        StringBuilder json = new StringBuilder(bytes + 64);
        json.append("{\"eventId\":\"").append(hex(random, 8)).append('-').append(hex(random, 4)).append('-')
                .append(hex(random, 4)).append('-').append(hex(random, 12)).append('"')
                .append(",\"type\":\"order.").append(STATUS[random.nextInt(STATUS.length)].toLowerCase(Locale.ROOT)).append('"')
                .append(",\"occurredAt\":\"").append(Instant.ofEpochMilli(1_795_000_000_000L + random.nextLong(86_400_000L)))
                .append('"')
                .append(",\"customer\":{\"id\":\"cus_").append(hex(random, 14)).append("\",\"name\":\"").append(first)
                .append(' ').append(last).append("\",\"email\":\"").append(first.toLowerCase(Locale.ROOT)).append('.')
                .append(last.toLowerCase(Locale.ROOT)).append(random.nextInt(100)).append("@example.com\",\"tier\":\"")
                .append(random.nextInt(4) == 0 ? "gold" : "standard").append("\"}")
                .append(",\"shipping\":{\"street\":\"").append(1 + random.nextInt(300)).append(' ')
                .append(LAST[random.nextInt(LAST.length)]).append(" Street\",\"city\":\"")
                .append(CITIES[random.nextInt(CITIES.length)]).append("\",\"postalCode\":\"")
                .append(10_000 + random.nextInt(90_000)).append("\"}")
                .append(",\"lines\":[");
        int lines = 2 + random.nextInt(4);
        long totalCents = 0;
        // Two lines always; more while they leave room for the notes.
        for (int i = 0; i < lines && (i < 2 || json.length() < bytes - 250); i++) {
            int quantity = 1 + random.nextInt(5);
            int cents = 199 + random.nextInt(9_800);
            totalCents += (long) quantity * cents;
            json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(10_000 + random.nextInt(500))
                    .append("\",\"name\":\"").append(PRODUCTS[random.nextInt(PRODUCTS.length)])
                    .append("\",\"quantity\":").append(quantity).append(",\"unitPrice\":")
                    .append(cents / 100).append('.').append(String.format(Locale.ROOT, "%02d", cents % 100))
                    .append(",\"currency\":\"EUR\"}");
        }
        json.append("],\"total\":").append(totalCents / 100).append('.')
                .append(String.format(Locale.ROOT, "%02d", totalCents % 100)).append(",\"notes\":\"");
        String end = "\"}";
        while (json.length() < bytes - end.length()) {
            json.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        json.setLength(bytes - end.length()); // cuts the last word: notes are free text
        json.append(end);
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
        }
    }

    private static String hex(SplittableRandom random, int digits) {
        StringBuilder out = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        return out.toString();
    }

    private static Settings parse(String[] args) {
        int recordsPerBatch = 100;
        int recordBytes = 1024;
        int batches = 200;
        long warmup = 2;
        long measure = 5;
        List<CompressionCodec> codecs = List.of(CompressionCodec.NONE, CompressionCodec.LZ4, CompressionCodec.ZSTD);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--records-per-batch" -> recordsPerBatch = Integer.parseInt(v);
                case "--record-bytes" -> recordBytes = Integer.parseInt(v);
                case "--batches" -> batches = Integer.parseInt(v);
                case "--warmup-seconds" -> warmup = Long.parseLong(v);
                case "--measure-seconds" -> measure = Long.parseLong(v);
                case "--codecs" -> codecs = Arrays.stream(v.split(","))
                        .map(c -> CompressionCodec.valueOf(c.trim().toUpperCase(Locale.ROOT))).toList();
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (recordsPerBatch < 1 || batches < 1 || measure < 1 || warmup < 0) {
            throw new IllegalArgumentException("--records-per-batch, --batches, --measure-seconds must be >= 1,"
                    + " --warmup-seconds >= 0");
        }
        if (recordBytes < 800) {
            throw new IllegalArgumentException("--record-bytes must be at least 800 (the structured part of a record)");
        }
        return new Settings(recordsPerBatch, recordBytes, batches, warmup, measure, codecs);
    }
}
