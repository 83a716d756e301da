package dev.tributary.bench.schema;

import dev.tributary.dataplane.schema.SchemaValidation;
import dev.tributary.log.ProducedBatch;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.schema.SchemaInput;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.schema.SchemaRegistry;
import dev.tributary.schema.SchemaRegistrySettings;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What produce-time schema validation adds per record with a warm cache, on the real embedded
 * store (RocksDB, temporary directory) and the data plane's own code path: {@link
 * ProducedBatch#validate(byte[], Consumer)} (what ProduceGrpcService calls for every batch) with
 * the checker of {@link SchemaValidation} for a topic with no validation, value validation, and key
 * and value validation, over batches of 100 records (16-byte keys, 200-byte values, both in the
 * wire format), uncompressed and LZ4. The per-record cost of the check is the difference to the
 * same batch validated without it. Single-threaded; every answer is checked (the batch must pass).
 * The three cases of a batch kind run in turn, {@code rounds} times (so that load from elsewhere on
 * the machine hits them alike), and the median round of each is reported; the cost added by the
 * check is computed from CPU time (ns of the benchmark thread's CPU per record), which other load
 * disturbs less than wall time.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.schema.ValidationBenchmark
 *      [warmup-seconds, default 2] [measure-seconds per round, default 2] [rounds, default 5]
 * </pre>
 */
public final class ValidationBenchmark {
    private static final int RECORDS = 100;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ValidationBenchmark() {}

    /** ns per record (wall) and records per CPU-second of the benchmark thread. */
    record Rate(double nsPerRecord, double recordsPerCpuSecond) {
        double cpuNsPerRecord() {
            return 1e9 / recordsPerCpuSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        long warmup = args.length > 0 ? Long.parseLong(args[0]) : 2;
        long measure = args.length > 1 ? Long.parseLong(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("tributary-validation-bench-");
        System.out.println("### Schema validation benchmark\n");
        System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, one benchmark thread; load average at the start: "
                + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("- batches of " + RECORDS + " records, 16-byte keys, 200-byte values; warm-up " + warmup + " s, "
                + measure + " s measured per case and round, " + rounds + " rounds, median round reported\n");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            SchemaRegistry registry = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
            String tenant = "bench";
            int keyId = registry.register(tenant, "orders-key", SchemaInput.avro("\"long\""), null, null).id();
            int valueId = registry.register(tenant, "orders-value", SchemaInput.avro(
                    "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"), null, null).id();
            SchemaValidation validation = new SchemaValidation(new SchemaLookup(registry, 10_000, Duration.ofSeconds(30)));
            TopicStore topics = new TopicStore(store);
            TopicMetadata none = topics.create(tenant, "plain", 1, Map.of());
            TopicMetadata values = topics.create(tenant, "orders", 1, Map.of("value.schema.validation", "true"));
            TopicMetadata both = topics.create(tenant, "orders-kv", 1, Map.of("value.schema.validation", "true",
                    "key.schema.validation", "true", "key.schema.subject", "orders-key", "value.schema.subject", "orders-value"));

            System.out.println("| batch | topic validates | ns/record (wall) | records per CPU-s | CPU ns/record | added by the check, CPU ns/record |");
            System.out.println("|---|---|---:|---:|---:|---:|");
            for (CompressionCodec codec : List.of(CompressionCodec.NONE, CompressionCodec.LZ4)) {
                byte[] batch = batch(codec, keyId, valueId);
                List<Consumer<RecordBatch>> checkers = java.util.Arrays.asList(validation.checker(tenant, none, 0, 0),
                        validation.checker(tenant, values, 0, 0), validation.checker(tenant, both, 0, 0));
                for (Consumer<RecordBatch> checker : checkers) {
                    run(batch, checker, warmup * 1_000_000_000L);
                }
                List<List<Rate>> samples = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
                for (int round = 0; round < rounds; round++) {
                    for (int c = 0; c < checkers.size(); c++) {
                        samples.get(c).add(measure(batch, checkers.get(c), measure));
                    }
                }
                Rate base = median(samples.get(0));
                Rate value = median(samples.get(1));
                Rate kv = median(samples.get(2));
                String name = codec == CompressionCodec.NONE ? "uncompressed" : codec.toString();
                print(name, "nothing (baseline: parse, CRC, record checks)", base, base);
                print(name, "values", value, base);
                print(name, "keys and values", kv, base);
            }
        } finally {
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

    private static void print(String batch, String what, Rate rate, Rate base) {
        System.out.printf(Locale.ROOT, "| %s | %s | %,.1f | %,.0f | %,.1f | %s |%n", batch, what, rate.nsPerRecord(),
                rate.recordsPerCpuSecond(), rate.cpuNsPerRecord(),
                rate == base ? "" : String.format(Locale.ROOT, "%,.1f", rate.cpuNsPerRecord() - base.cpuNsPerRecord()));
    }

    /** The round with the median CPU cost. */
    private static Rate median(List<Rate> rounds) {
        List<Rate> sorted = new java.util.ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(Rate::cpuNsPerRecord));
        return sorted.get(sorted.size() / 2);
    }

    private static byte[] batch(CompressionCodec codec, int keyId, int valueId) {
        RecordBatchBuilder b = RecordBatch.builder().compression(codec);
        long now = System.currentTimeMillis();
        for (int i = 0; i < RECORDS; i++) {
            b.append(now, framed(keyId, 11, i), framed(valueId, 195, i));
        }
        return b.build();
    }

    private static byte[] framed(int id, int payload, int seed) {
        ByteBuffer out = ByteBuffer.allocate(5 + payload).put((byte) 0).putInt(id);
        for (int i = 0; i < payload; i++) {
            out.put((byte) ('a' + (seed + i) % 26));
        }
        return out.array();
    }

    private static Rate measure(byte[] batch, Consumer<RecordBatch> checker, long measureSeconds) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long batches = run(batch, checker, measureSeconds * 1_000_000_000L);
        long wall = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        double records = (double) batches * RECORDS;
        return new Rate(wall / records, records / (cpu / 1e9));
    }

    /** Validates {@code batch} until {@code nanos} have passed; returns how many times. */
    private static long run(byte[] batch, Consumer<RecordBatch> checker, long nanos) {
        long end = System.nanoTime() + nanos;
        long n = 0;
        long sink = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                // validate takes the array over but only reads it; the append (not done here) is what writes to it.
                sink += ProducedBatch.validate(batch, checker).recordCount();
                n++;
            }
        }
        if (sink != n * RECORDS) {
            throw new AssertionError("a batch did not validate as " + RECORDS + " records");
        }
        return n;
    }
}
