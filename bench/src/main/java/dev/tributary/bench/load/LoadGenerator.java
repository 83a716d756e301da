package dev.tributary.bench.load;

import dev.tributary.client.ClientProfile;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.ConsumerRecords;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator on the Java SDK: producers and consumers of a topic made for the run on a
 * running server (loopback only), reporting produce throughput, produce-acknowledgement latency and end-to-end
 * latency (send to receipt by a consumer of the group) as HdrHistogram percentiles.
 *
 * <p>A run: create the topics (in the profile's tenant; with the platform administrator's profile,
 * in a tenant made for the run, as a member account of it) and delete them at the end; start the
 * consumers (one group) and wait until they hold every partition; then an optional
 * warm-up round and the measured rounds. In a round each producer thread (its own {@link Producer},
 * as each of Kafka's perf-test processes has its own) sends its share of the records, paced to the
 * target rate or as fast as the producer takes them, and the round ends at its last acknowledgement
 * or at the time limit. Each value starts with its send time ({@code System.nanoTime()}: producers
 * and consumers share this JVM, so the clock is the same) so that consumers measure end-to-end
 * latency; acknowledgement latency is measured from {@code send} to its completion.
 *
 * <p>{@code --round-trips N} then measures what Kafka's {@code EndToEndLatency} tool measures:
 * one record at a time, sent and waited for (acks=durable), then polled back by a consumer
 * assigned every partition; latency from before the send to the poll that returned it.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.load.LoadGenerator \
 *     --profile DATA/client.properties --partitions 6 --producers 1 --consumers 1 --records 200000 --rate 5000
 * </pre>
 */
@Command(name = "LoadGenerator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Produce/consume load on a running Tributary server through the Java SDK; throughput and latency percentiles.")
public final class LoadGenerator implements Callable<Integer> {
    /** Bytes at the start of every value: send time (nanoTime) and sequence number. */
    private static final int HEADER_BYTES = 16;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** How long consumers may take to hold every partition, and to catch up after a round. */
    private static final long CONSUMER_WAIT_SECONDS = 30;

    @Option(names = "--profile", required = true, description = "connection profile: of a tenant's principal allowed to create topics (the run's "
            + "topics are made and deleted in its tenant), or of the platform administrator (the run makes and deletes a tenant of its own)")
    Path profileFile;

    @Option(names = "--partitions", defaultValue = "6", description = "partitions of the topic (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--producers", defaultValue = "1", description = "producer threads, one Producer each (default ${DEFAULT-VALUE})")
    int producers;

    @Option(names = "--consumers", defaultValue = "0", description = "consumers in one group, one thread each; 0: no consumers, no end-to-end figures (default ${DEFAULT-VALUE})")
    int consumers;

    @Option(names = "--record-bytes", defaultValue = "1024", description = "value size in bytes, at least 16 (default ${DEFAULT-VALUE})")
    int recordBytes;

    @Option(names = "--records", defaultValue = "1000000", description = "records per measured round, all producers together (default ${DEFAULT-VALUE})")
    long records;

    @Option(names = "--rate", defaultValue = "0", description = "target records/s, all producers together; 0: as fast as possible (default ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--warmup-records", defaultValue = "0", description = "records of a warm-up round before the measured ones, not reported (default ${DEFAULT-VALUE})")
    long warmupRecords;

    @Option(names = "--rounds", defaultValue = "1", description = "measured rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--max-seconds", defaultValue = "60", description = "time limit of each round and of the round trips (default ${DEFAULT-VALUE})")
    int maxSeconds;

    @Option(names = "--round-trips", defaultValue = "0", description = "records sent one at a time after the rounds, each waited for until consumed (default ${DEFAULT-VALUE})")
    int roundTrips;

    @Option(names = "--producer-config", description = "producer setting, repeatable (defaults here: acks=durable linger.ms=5 batch.size=131072, as Kafka's perf test is run)")
    Map<String, String> producerSettings = new LinkedHashMap<>();

    @Option(names = "--consumer-config", description = "consumer setting, repeatable")
    Map<String, String> consumerSettings = new LinkedHashMap<>();

    @Option(names = "--server-pid", defaultValue = "-1", description = "the server's process id, to report its CPU use per round (same machine only)")
    long serverPid;

    @Option(names = "--summary", description = "also write the results as key=value lines to this file")
    Path summaryFile;

    private final Map<String, String> summary = new LinkedHashMap<>();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (partitions < 1 || producers < 1 || consumers < 0 || recordBytes < HEADER_BYTES || records < 0 || rate < 0
                || warmupRecords < 0 || rounds < 0 || maxSeconds < 1 || roundTrips < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "partitions and producers must be at least 1, --record-bytes at least "
                    + HEADER_BYTES + ", --max-seconds at least 1, the rest non-negative");
        }
        ClientProfile given = ClientProfile.load(profileFile);
        String host = given.endpoint().getHost();
        if (!host.equals("localhost") && !host.startsWith("127.") && !host.equals("[::1]")) {
            throw new IllegalArgumentException("the load generator runs against a local server only, not " + given.endpoint());
        }
        startWatchdog();

        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "load-" + run;
        String roundTripTopic = "round-trip-" + run;
        // A platform administrator belongs to no tenant and has no topics: run in a tenant of our own, as a member.
        BenchTenant throwAway = given.tenant() == null ? BenchTenant.create(given) : null;
        ClientProfile appProfile = throwAway == null ? given : throwAway.memberProfile();
        List<String> created = new ArrayList<>();
        try (TributaryClient topicAdmin = TributaryClient.connect(throwAway == null ? given : throwAway.adminProfile())) {
            try {
                createTopic(topicAdmin, topic, created);
                if (roundTrips > 0) {
                    createTopic(topicAdmin, roundTripTopic, created);
                }
                System.out.printf(Locale.ROOT, "tenant %s%s, topic %s: %d partitions, %d producer(s), %d consumer(s), %d-byte records, %s%n",
                        appProfile.tenant(), throwAway == null ? "" : " (created for this run)", topic, partitions, producers, consumers,
                        recordBytes, rate == 0 ? "as fast as possible" : "target " + rate + " records/s");
                put("tenant", appProfile.tenant());
                put("partitions", partitions);
                put("producers", producers);
                put("consumers", consumers);
                put("record_bytes", recordBytes);
                put("target_rate", rate);
                try (TributaryClient client = TributaryClient.connect(appProfile)) {
                    if (rounds > 0 || warmupRecords > 0) {
                        produceAndConsume(client, topic);
                    }
                    if (roundTrips > 0) {
                        roundTrips(client, roundTripTopic);
                    }
                }
            } finally {
                put("errors", errors.sum());
                writeSummary();
                if (throwAway == null) {
                    // In the caller's tenant, delete what this run made (a throw-away tenant goes whole, below).
                    for (String name : created) {
                        try {
                            topicAdmin.admin().deleteTopic(name).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        } catch (Exception e) {
                            System.err.printf("could not delete topic %s: %s%n", name, e);
                        }
                    }
                }
            }
        } finally {
            if (throwAway != null) {
                throwAway.close();
            }
        }
        Throwable error = firstError.get();
        if (error != null) {
            System.err.printf("%d error(s); the first: %s%n", errors.sum(), error);
            return 1;
        }
        return 0;
    }

    private void produceAndConsume(TributaryClient client, String topic) throws InterruptedException {
        ProducerConfig producerConfig = producerConfig(Map.of());
        put("producer_config", producerConfig.values().toString());
        List<Producer<byte[], byte[]>> producerList = new ArrayList<>();
        try (ConsumerGroup group = new ConsumerGroup(client, topic, "load-" + UUID.randomUUID())) {
            for (int i = 0; i < producers; i++) {
                producerList.add(client.newProducer(producerConfig));
            }
            group.start();
            if (warmupRecords > 0) {
                Round warmup = runRound(producerList, topic, warmupRecords, group);
                System.out.printf(Locale.ROOT, "warm-up: %s%n", warmup.describe());
            }
            for (int r = 1; r <= rounds; r++) {
                Round round = runRound(producerList, topic, records, group);
                System.out.printf(Locale.ROOT, "round %d: %s%n", r, round.describe());
                round.addTo(summary, "round." + r + ".");
            }
        } finally {
            for (Producer<byte[], byte[]> p : producerList) {
                p.close(CALL_TIMEOUT);
            }
        }
    }

    private void createTopic(TributaryClient admin, String name, List<String> created) throws Exception {
        admin.admin().createTopic(new NewTopic(name, partitions)).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        created.add(name);
    }

    /** The settings both systems are run with (Kafka: acks=all linger.ms=5 batch.size=131072), then the command line's. */
    private ProducerConfig producerConfig(Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ProducerConfig.ACKS, "durable");
        settings.put(ProducerConfig.LINGER_MS, "5");
        settings.put(ProducerConfig.BATCH_SIZE, "131072");
        settings.putAll(overrides);
        settings.putAll(producerSettings);
        return ProducerConfig.builder().setAll(settings).build();
    }

    // ------------------------------------------------------------------ rounds

    private Round runRound(List<Producer<byte[], byte[]>> producerList, String topic, long count, ConsumerGroup group)
            throws InterruptedException {
        Recorder ackLatency = new Recorder(3);
        LongAdder acked = new LongAdder();
        LongAdder sent = new LongAdder();
        AtomicLong lastAck = new AtomicLong();
        group.resetLatency();
        long receivedBefore = group.received();
        CpuUsage cpu = new CpuUsage(serverPid);
        cpu.start();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            long share = count / producers + (i < count % producers ? 1 : 0);
            Producer<byte[], byte[]> producer = producerList.get(i);
            // Each thread paces its own share of the rate: the sends of thread i are due every producers/rate seconds.
            double intervalNanos = rate == 0 ? 0 : 1e9 * producers / rate;
            Thread t = new Thread(() -> {
                Payload payload = new Payload(recordBytes);
                for (long seq = 0; seq < share; seq++) {
                    long now = System.nanoTime();
                    if (intervalNanos > 0) {
                        long due = start + (long) (seq * intervalNanos);
                        while (now < due) {
                            LockSupport.parkNanos(due - now);
                            now = System.nanoTime();
                        }
                    }
                    if (now >= deadline || firstError.get() != null) {
                        break;
                    }
                    long sentAt = System.nanoTime();
                    byte[] value = payload.next(sentAt, seq);
                    try {
                        producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                            long done = System.nanoTime();
                            if (exception == null) {
                                ackLatency.recordValue(Math.max(0, (done - sentAt) / 1000));
                                acked.increment();
                                lastAck.accumulateAndGet(done, Math::max);
                            } else {
                                error(exception);
                            }
                        });
                    } catch (RuntimeException e) {
                        error(e);
                        break;
                    }
                    sent.increment();
                }
                // Waits for every acknowledgement (bounded by the producer's delivery.timeout.ms).
                producer.flush();
            }, "load-producer-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        CpuUsage.Shares shares = cpu.stop();
        long ackedCount = acked.sum();
        long end = ackedCount > 0 ? lastAck.get() : System.nanoTime();
        Histogram endToEnd = null;
        long receivedCount = 0;
        if (consumers > 0) {
            receivedCount = group.awaitReceived(receivedBefore + ackedCount, TimeUnit.SECONDS.toNanos(CONSUMER_WAIT_SECONDS)) - receivedBefore;
            endToEnd = group.latency();
        }
        // Timed out: the time limit stopped the producers before they sent their shares.
        return new Round(sent.sum(), ackedCount, (end - start) / 1e9, ackLatency.getIntervalHistogram(), endToEnd, receivedCount, shares,
                sent.sum() < count);
    }

    /** One round's results. Latency histograms are in microseconds. */
    private record Round(long sent, long acked, double seconds, Histogram ack, Histogram endToEnd, long received, CpuUsage.Shares cpu,
            boolean timedOut) {
        double recordsPerSecond() {
            return seconds > 0 ? acked / seconds : 0;
        }

        String describe() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%d records acknowledged in %.2f s%s: %.1f records/s; ack latency ms %s",
                    acked, seconds, timedOut ? " (time limit reached)" : "", recordsPerSecond(), percentiles(ack)));
            if (endToEnd != null) {
                s.append(String.format(Locale.ROOT, "; end to end ms %s (%d received)", percentiles(endToEnd), received));
            }
            s.append(String.format(Locale.ROOT, "; CPU %% of all cores: load generator %.0f, server %.0f, machine %.0f;"
                    + " CPU µs per record: load generator %.1f, server %.1f", cpu.loadGenerator(), cpu.server(), cpu.machine(),
                    perRecordMicros(cpu.loadGeneratorSeconds()), perRecordMicros(cpu.serverSeconds())));
            return s.toString();
        }

        private double perRecordMicros(double cpuSeconds) {
            return cpuSeconds < 0 || acked == 0 ? -1 : cpuSeconds * 1e6 / acked;
        }

        void addTo(Map<String, String> summary, String prefix) {
            summary.put(prefix + "sent", Long.toString(sent));
            summary.put(prefix + "records", Long.toString(acked));
            summary.put(prefix + "seconds", fmt(seconds, 3));
            summary.put(prefix + "records_per_sec", fmt(recordsPerSecond(), 1));
            summary.put(prefix + "timed_out", Boolean.toString(timedOut));
            putPercentiles(summary, prefix + "ack_", ack);
            if (endToEnd != null) {
                summary.put(prefix + "e2e_count", Long.toString(received));
                putPercentiles(summary, prefix + "e2e_", endToEnd);
            }
            summary.put(prefix + "cpu_load_generator_pct", fmt(cpu.loadGenerator(), 1));
            summary.put(prefix + "cpu_server_pct", fmt(cpu.server(), 1));
            summary.put(prefix + "cpu_machine_pct", fmt(cpu.machine(), 1));
            // CPU time per acknowledged record: what each side costs, whatever else ran on the machine.
            summary.put(prefix + "cpu_load_generator_us_per_record", fmt(perRecordMicros(cpu.loadGeneratorSeconds()), 1));
            summary.put(prefix + "cpu_server_us_per_record", fmt(perRecordMicros(cpu.serverSeconds()), 1));
        }
    }

    // ------------------------------------------------------------------ round trips

    /** As Kafka's EndToEndLatency: send one record, wait for its acknowledgement, poll until it arrives; repeat. */
    private void roundTrips(TributaryClient client, String topic) {
        Recorder latency = new Recorder(3);
        int done = 0;
        // linger.ms=0 as in Kafka's tool: a lone record is sent at once.
        try (Producer<byte[], byte[]> producer = client.newProducer(producerConfig(Map.of(ProducerConfig.LINGER_MS, "0")));
                Consumer<byte[], byte[]> consumer = client.newConsumer(ConsumerConfig.builder().setAll(consumerSettings).build())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            // Start at the current end, resolved before the first send so that no record is skipped.
            consumer.endOffsets(all).forEach(consumer::seek);
            Payload payload = new Payload(recordBytes);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            for (long seq = 0; seq < roundTrips && System.nanoTime() < deadline; seq++) {
                long begin = System.nanoTime();
                byte[] value = payload.next(begin, seq);
                producer.send(new ProducerRecord<>(topic, value)).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                ConsumerRecord<byte[], byte[]> received = null;
                long giveUp = System.nanoTime() + CALL_TIMEOUT.toNanos();
                while (received == null) {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofSeconds(1));
                    for (ConsumerRecord<byte[], byte[]> r : polled) {
                        if (received != null || !Arrays.equals(r.value(), value)) {
                            throw new IllegalStateException("round trip " + seq + ": received a record other than the one sent, at " + r.topicPartition()
                                    + " offset " + r.offset());
                        }
                        received = r;
                    }
                    if (received == null && System.nanoTime() > giveUp) {
                        throw new IllegalStateException("round trip " + seq + ": the record did not arrive within " + CALL_TIMEOUT.toSeconds() + " s");
                    }
                }
                latency.recordValue((System.nanoTime() - begin) / 1000);
                done++;
            }
        } catch (Exception e) {
            error(e);
        }
        Histogram h = latency.getIntervalHistogram();
        System.out.printf(Locale.ROOT, "round trips: %d of %d, one at a time; end to end ms %s%n", done, roundTrips, percentiles(h));
        summary.put("round_trip.count", Integer.toString(done));
        putPercentiles(summary, "round_trip.", h);
    }

    // ------------------------------------------------------------------ consumers

    /**
     * The consumers of one group, each polling on its own thread, measuring end-to-end latency from
     * the send time at the start of each value.
     */
    private final class ConsumerGroup implements AutoCloseable {
        private final TributaryClient client;
        private final String topic;
        private final String groupId;
        private final Recorder latency = new Recorder(3);
        private final AtomicLong received = new AtomicLong();
        private final Map<Integer, Set<TopicPartition>> assignments = new ConcurrentHashMap<>();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Consumer<byte[], byte[]>> members = new ArrayList<>();
        private volatile boolean stopping;

        ConsumerGroup(TributaryClient client, String topic, String groupId) {
            this.client = client;
            this.topic = topic;
            this.groupId = groupId;
        }

        /** Starts the consumers and waits until the group's assignment covers every partition once. */
        void start() throws InterruptedException {
            if (consumers == 0) {
                return;
            }
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(ConsumerConfig.GROUP_ID, groupId);
            // The topic is new: reading from the start loses nothing produced before an assignment arrives.
            settings.put(ConsumerConfig.AUTO_OFFSET_RESET, "earliest");
            settings.putAll(consumerSettings);
            ConsumerConfig config = ConsumerConfig.builder().setAll(settings).build();
            for (int i = 0; i < consumers; i++) {
                Consumer<byte[], byte[]> consumer = client.newConsumer(config);
                members.add(consumer);
                int id = i;
                Thread t = new Thread(() -> poll(id, consumer), "load-consumer-" + i);
                t.start();
                threads.add(t);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONSUMER_WAIT_SECONDS);
            while (!assignmentComplete()) {
                if (System.nanoTime() > deadline || firstError.get() != null) {
                    throw new IllegalStateException("the " + consumers + " consumer(s) of group " + groupId + " hold " + assignments
                            + " after " + CONSUMER_WAIT_SECONDS + " s, not each of the " + partitions + " partitions once");
                }
                Thread.sleep(50);
            }
        }

        private boolean assignmentComplete() {
            Set<TopicPartition> union = new HashSet<>();
            int total = 0;
            for (Set<TopicPartition> held : assignments.values()) {
                union.addAll(held);
                total += held.size();
            }
            return union.size() == partitions && total == partitions;
        }

        private void poll(int id, Consumer<byte[], byte[]> consumer) {
            try {
                consumer.subscribe(List.of(topic));
                while (!stopping) {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : polled) {
                        long sentAt = ByteBuffer.wrap(r.value()).getLong(0);
                        latency.recordValue(Math.max(0, (now - sentAt) / 1000));
                    }
                    received.addAndGet(polled.count());
                    assignments.put(id, Set.copyOf(consumer.assignment()));
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    error(e);
                }
            }
        }

        long received() {
            return received.get();
        }

        void resetLatency() {
            latency.reset();
        }

        Histogram latency() {
            return latency.getIntervalHistogram();
        }

        /** Waits until {@code target} records were received in all, or for {@code timeoutNanos}; returns the count. */
        long awaitReceived(long target, long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (received.get() < target && System.nanoTime() < deadline && firstError.get() == null) {
                Thread.sleep(20);
            }
            return received.get();
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            for (Consumer<byte[], byte[]> c : members) {
                c.wakeup();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(CONSUMER_WAIT_SECONDS));
            }
            for (Consumer<byte[], byte[]> c : members) {
                try {
                    c.close(CALL_TIMEOUT);
                } catch (RuntimeException e) {
                    System.err.println("closing a consumer: " + e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Values of a fixed size: send time and sequence number, then incompressible bytes. */
    private static final class Payload {
        private final byte[] filler;

        Payload(int size) {
            filler = new byte[size];
            new Random().nextBytes(filler);
        }

        /** A new array each time: the producer keeps it until the batch is sent. */
        byte[] next(long sentAtNanos, long seq) {
            byte[] value = filler.clone();
            ByteBuffer.wrap(value).putLong(0, sentAtNanos).putLong(8, seq);
            return value;
        }
    }

    private void error(Throwable e) {
        errors.increment();
        firstError.compareAndSet(null, e);
    }

    /**
     * Everything is bounded by the rounds' time limits and the SDK's timeouts; this is the last
     * resort if something hangs anyway (a bug): no run outlives its bounds by much.
     */
    private void startWatchdog() {
        long allRounds = rounds + (warmupRecords > 0 ? 1 : 0);
        long seconds = 120 + allRounds * (maxSeconds + 150L + CONSUMER_WAIT_SECONDS) + (roundTrips > 0 ? maxSeconds + 60L : 0);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            System.err.printf("LoadGenerator: still running after %d s, past every bound: stopping%n", seconds);
            Runtime.getRuntime().halt(3);
        }, "load-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "(none)";
        }
        return String.format(Locale.ROOT, "avg %.2f, p50 %.2f, p99 %.2f, p99.9 %.2f, max %.2f", h.getMean() / 1e3,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static void putPercentiles(Map<String, String> summary, String prefix, Histogram h) {
        if (h.getTotalCount() == 0) {
            return;
        }
        summary.put(prefix + "avg_ms", fmt(h.getMean() / 1e3, 2));
        summary.put(prefix + "p50_ms", fmt(h.getValueAtPercentile(50) / 1e3, 2));
        summary.put(prefix + "p99_ms", fmt(h.getValueAtPercentile(99) / 1e3, 2));
        summary.put(prefix + "p999_ms", fmt(h.getValueAtPercentile(99.9) / 1e3, 2));
        summary.put(prefix + "max_ms", fmt(h.getMaxValue() / 1e3, 2));
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private void put(String key, Object value) {
        summary.put(key, String.valueOf(value));
    }

    private void writeSummary() throws IOException {
        if (summaryFile == null) {
            return;
        }
        StringBuilder s = new StringBuilder("# LoadGenerator results; latencies in ms\n");
        summary.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        Files.writeString(summaryFile, s);
    }
}
