package dev.tributary.server.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.profile.ConnectionProfile;
import dev.tributary.server.testing.TestClient;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the standalone server while producers with acks=DURABLE run: after each restart on
 * the same data directory every acknowledged record is readable exactly once, at the offset its
 * acknowledgement reported, and offsets stay dense. Records in flight at the kill may be present
 * or not, but never twice.
 *
 * <p>This runs the real packaged server ({@code quarkus-run.jar}) as a child process, because only
 * a separate process can be killed without giving the store a chance to close: failsafe runs it
 * after {@code package}. Loopback only, every child process is killed at the end.
 */
class ServerCrashIT {
    private static final String TENANT = "crash";
    private static final String TOPIC = "events";
    private static final int PARTITIONS = 3;
    private static final int PRODUCERS = 4;
    private static final int KILLS = 3;
    /** Acknowledged batches to wait for between two kills, so that each kill hits running producers. */
    private static final int ACKS_PER_ROUND = 150;

    @TempDir
    Path work;

    private Path dataDir;
    private Path serverLog;
    private int port;
    private Process server;
    private ManagedChannel channel;

    /** An acknowledged batch: the offsets the server reported and the values it carried, in order. */
    private record Ack(int partition, long baseOffset, long lastOffset, List<String> values) {}

    @AfterEach
    void stopEverything() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        killServer();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS) // a safety net: the test itself takes well under 90 s
    void acknowledgedRecordsSurviveKillNineExactlyOnceAtTheirOffsets() throws Exception {
        long started = System.nanoTime();
        dataDir = work.resolve("data");
        serverLog = work.resolve("server.log");
        port = freeLoopbackPort();

        startServer();
        ConnectionProfile profile = TestClient.awaitProfileWithCredentials(dataDir);
        Path caFile = dataDir.resolve("tls/ca.pem");
        TestClient client = new TestClient(URI.create("https://localhost:" + port + "/"), caFile);
        awaitReady(client);

        // A platform administrator belongs to no tenant: the data plane needs a tenant's account.
        String admin = client.token(profile.credentials().clientId(), profile.credentials().clientSecret());
        assertEquals(201, client.postJson("/v1/tenants", admin, "{\"id\":\"" + TENANT + "\"}").statusCode());
        HttpResponse<String> sa = client.postJson("/v1/tenants/" + TENANT + "/service-accounts", admin,
                "{\"name\":\"producer\",\"role\":\"tenant-admin\"}");
        assertEquals(201, sa.statusCode(), sa.body());
        JsonNode account = TestClient.json(sa);
        String token = client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
        HttpResponse<String> topic = client.postJson("/v1/tenants/" + TENANT + "/topics", token,
                "{\"name\":\"" + TOPIC + "\",\"partitions\":" + PARTITIONS + ",\"config\":{}}");
        assertEquals(201, topic.statusCode(), topic.body());

        channel = Grpc.newChannelBuilderForAddress("localhost", port,
                TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build()).build();

        ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
        Set<String> unacknowledged = ConcurrentHashMap.newKeySet();
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        AtomicLong ackedBatches = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        // Producers stop by themselves at this point even if the main thread never tells them to.
        long producersDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);

        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        List<Future<?>> producers = new ArrayList<>();
        int[] ackedAtKill = new int[KILLS];
        long[] restartMillis = new long[KILLS];
        try {
            for (int p = 0; p < PRODUCERS; p++) {
                int producerId = p;
                producers.add(pool.submit(() -> {
                    produce(producerId, token, stop, producersDeadline, acks, unacknowledged, failures, ackedBatches);
                    return null;
                }));
            }
            for (int round = 0; round < KILLS; round++) {
                awaitAcks(ackedBatches, ackedBatches.get() + ACKS_PER_ROUND, producers);
                ackedAtKill[round] = (int) ackedBatches.get();
                long killed = System.nanoTime();
                killServer();
                startServer();
                awaitReady(client);
                restartMillis[round] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                // The channel backs off while the server is down; reconnect now rather than after the backoff.
                channel.resetConnectBackoff();
            }
            // Acknowledgements after the last restart prove the restarted server takes writes again.
            awaitAcks(ackedBatches, ackedBatches.get() + ACKS_PER_ROUND / 3, producers);
        } finally {
            stop.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(20, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        }
        for (Future<?> f : producers) {
            f.get(1, TimeUnit.SECONDS); // a producer's own exception fails the test here
        }

        // Read everything back: offsets dense from 0, every value once.
        Map<String, Long> offsetOfValue = new HashMap<>();
        long[] records = new long[PARTITIONS];
        for (int partition = 0; partition < PARTITIONS; partition++) {
            records[partition] = readPartition(token, partition, offsetOfValue);
        }

        long ackedRecords = 0;
        Set<String> ackedValues = new HashSet<>();
        for (Ack ack : acks) {
            assertEquals(ack.values.size(), ack.lastOffset - ack.baseOffset + 1, "ack range matches its batch: " + ack);
            for (int i = 0; i < ack.values.size(); i++) {
                String value = ack.values.get(i);
                ackedValues.add(value);
                Long found = offsetOfValue.get(value);
                if (found == null) {
                    fail("acknowledged record lost: " + value + " acked at " + ack.partition + "/" + (ack.baseOffset + i)
                            + "; server log: " + tail(serverLog));
                }
                assertEquals(key(ack.partition, ack.baseOffset + i), found, "acknowledged record " + value + " moved");
                ackedRecords++;
            }
        }
        long presentUnacked = 0;
        for (String value : offsetOfValue.keySet()) {
            if (unacknowledged.contains(value)) {
                presentUnacked++;
            } else {
                assertTrue(ackedValues.contains(value), "a value nobody produced: " + value);
            }
        }
        long stored = Arrays.stream(records).sum();
        assertEquals(ackedRecords + presentUnacked, stored, "every stored record is an acknowledged or an in-flight one");
        assertTrue(ackedAtKill[0] > 0, "producers were acknowledged before the first kill");

        System.out.printf("ServerCrashIT: %d kills (acked batches at each kill: %s, kill to ready in ms: %s), %d acked batches / %d acked records, "
                        + "%d stored records (per partition %s), %d of %d unacknowledged records present, failures %s, %.1f s%n",
                KILLS, Arrays.toString(ackedAtKill), Arrays.toString(restartMillis), acks.size(), ackedRecords, stored, Arrays.toString(records),
                presentUnacked, unacknowledged.size(), failures, (System.nanoTime() - started) / 1e9);
    }

    /**
     * One producer: requests of one to three batches of one to four records to a partition, values
     * unique per producer and sequence. A failed request is never retried with the same values (no
     * idempotence yet): its records are only "in flight", which may or may not have been committed.
     */
    private void produce(int producerId, String token, AtomicBoolean stop, long deadline, ConcurrentLinkedQueue<Ack> acks,
            Set<String> unacknowledged, Map<String, AtomicLong> failures, AtomicLong ackedBatches) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long sequence = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
            int partition = random.nextInt(PARTITIONS);
            int batches = 1 + random.nextInt(3);
            PartitionBatches.Builder request = PartitionBatches.newBuilder().setPartition(partition);
            List<List<String>> sent = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                RecordBatchBuilder batch = RecordBatch.builder();
                List<String> values = new ArrayList<>();
                int count = 1 + random.nextInt(4);
                for (int r = 0; r < count; r++) {
                    String value = "p" + producerId + "-s" + sequence++;
                    values.add(value);
                    batch.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
                }
                request.addBatches(ByteString.copyFrom(batch.build()));
                sent.add(values);
            }
            // Registered before the call: a record committed just before the kill is then accounted for.
            sent.forEach(unacknowledged::addAll);
            try {
                ProduceResponse response = ProduceServiceGrpc.newBlockingStub(channel)
                        .withCallCredentials(TestClient.bearer(token))
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .produce(ProduceRequest.newBuilder().setTopic(TOPIC).setAcks(Acks.ACKS_DURABLE).addPartitions(request).build());
                List<BatchAppendResult> results = response.getPartitions(0).getBatchesList();
                assertEquals(batches, results.size());
                for (int b = 0; b < batches; b++) {
                    BatchAppendResult r = results.get(b);
                    acks.add(new Ack(partition, r.getBaseOffset(), r.getLastOffset(), sent.get(b)));
                    sent.get(b).forEach(unacknowledged::remove);
                }
                ackedBatches.addAndGet(batches);
            } catch (StatusRuntimeException e) {
                // Expected while the server is down or dying: the records stay "in flight".
                failures.computeIfAbsent(e.getStatus().getCode().name(), c -> new AtomicLong()).incrementAndGet();
                Thread.sleep(50); // the server is down for seconds: do not spin
            }
        }
    }

    /** Fetches a partition from 0 to its high watermark; returns its record count. */
    private long readPartition(String token, int partition, Map<String, Long> offsetOfValue) {
        FetchServiceGrpc.FetchServiceBlockingStub fetcher = FetchServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(TestClient.bearer(token));
        long next = 0;
        long highWatermark;
        do {
            PartitionData data = fetcher.withDeadlineAfter(10, TimeUnit.SECONDS).fetch(FetchRequest.newBuilder().setTopic(TOPIC)
                            .addPartitions(PartitionFetch.newBuilder().setPartition(partition).setOffset(next).setMaxBytes(1 << 20)).build())
                    .getPartitions(0);
            assertEquals(0, data.getLogStartOffset());
            highWatermark = data.getHighWatermark();
            for (ByteString bytes : data.getBatchesList()) {
                for (Record record : RecordBatch.parse(bytes.toByteArray())) {
                    if (record.offset() < next) {
                        continue; // the first batch may start before the requested offset
                    }
                    assertEquals(next, record.offset(), "dense offsets in partition " + partition);
                    String value = new String(record.value(), StandardCharsets.UTF_8);
                    Long before = offsetOfValue.put(value, key(partition, record.offset()));
                    if (before != null) {
                        fail("value " + value + " stored twice: at " + partition + "/" + record.offset() + " and key " + before);
                    }
                    next++;
                }
            }
            assertTrue(next <= highWatermark, "read past the high watermark");
        } while (next < highWatermark);
        return next;
    }

    /** Partition and offset as one map value. */
    private static long key(int partition, long offset) {
        return ((long) partition << 48) | offset;
    }

    private void awaitAcks(AtomicLong acked, long target, List<Future<?>> producers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acked.get() < target) {
            for (Future<?> f : producers) {
                if (f.isDone()) {
                    f.get(); // surfaces the producer's failure
                    fail("a producer stopped early");
                }
            }
            if (System.nanoTime() > deadline) {
                fail("only " + acked.get() + " of " + target + " batches acknowledged in 20 s; server log: " + tail(serverLog));
            }
            Thread.sleep(10);
        }
    }

    private void startServer() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx384m",
                "-Dtributary.data-dir=" + dataDir,
                "-Dtributary.listen.host=localhost",
                "-Dtributary.listen.port=" + port,
                "-jar", serverJar().toString());
        Files.writeString(serverLog, "=== start: " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        server = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(serverLog.toFile())).start();
    }

    /** SIGKILL: no shutdown hook runs, the store is not closed. */
    private void killServer() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("server process " + server.pid() + " survived SIGKILL");
            }
        }
    }

    private void awaitReady(TestClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                fail("the server exited with " + server.exitValue() + ": " + tail(serverLog));
            }
            if (Files.exists(dataDir.resolve("tls/ca.pem"))) {
                try {
                    if (client.get("/q/health/ready", null).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        fail("the server was not ready within 40 s: " + tail(serverLog));
    }

    private static Path serverJar() {
        String configured = System.getProperty("tributary.server.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("no packaged server at " + jar.toAbsolutePath() + ": run ./mvnw -B verify (package comes first)");
        }
        return jar;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
