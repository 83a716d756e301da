package dev.tributary.bench.produce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Produce throughput and latency of a running server over gRPC (localhost only). It reads the
 * connection profile (platform-admin.properties: endpoint, CA, the bootstrap platform administrator's credentials),
 * creates a throw-away tenant, a member service account and a topic, grants the member write on the
 * topic (an ACL, as members may do only what ACLs grant) and gives the tenant limits far above what
 * the run can reach (unless {@code --no-quota}), so that every call goes through the data plane's
 * ACL and quota checks as any member's would. Then it runs N producers, each sending one request
 * at a time (one batch of R records of B bytes to the next partition, round robin) for D seconds,
 * and reports records/s, MB/s and request latency percentiles.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.produce.ProduceBenchmark \
 *     --profile data/platform-admin.properties --producers 16 --partitions 4 --batch-records 100 --record-bytes 1024 \
 *     --seconds 20 [--acks none] [--no-quota]
 * </pre>
 */
public final class ProduceBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path profile = Path.of("data/platform-admin.properties");
        int producers = 8;
        int partitions = 4;
        int batchRecords = 100;
        int recordBytes = 1024;
        int seconds = 20;
        int warmupSeconds = 3;
        Acks acks = Acks.ACKS_DURABLE;
        boolean quota = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profile" -> profile = Path.of(args[++i]);
                case "--producers" -> producers = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--batch-records" -> batchRecords = Integer.parseInt(args[++i]);
                case "--record-bytes" -> recordBytes = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Math.min(600, Integer.parseInt(args[++i]));
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--acks" -> acks = args[++i].equalsIgnoreCase("none") ? Acks.ACKS_NONE : Acks.ACKS_DURABLE;
                case "--no-quota" -> quota = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(profile.toFile())) {
            props.load(in);
        }
        URI endpoint = URI.create(props.getProperty("tributary.endpoint"));
        if (!endpoint.getHost().equals("localhost") && !endpoint.getHost().startsWith("127.")) {
            throw new IllegalArgumentException("the benchmark runs against localhost only, not " + endpoint);
        }
        Path ca = Path.of(props.getProperty("tributary.tls.ca-file"));
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca)).build();
        String adminToken = token(http, props.getProperty("tributary.auth.token-url"),
                props.getProperty("tributary.auth.client-id"), props.getProperty("tributary.auth.client-secret"));

        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        post(http, endpoint.resolve("/v1/tenants"), adminToken, "{\"id\":\"" + tenant + "\"}");
        JsonNode account = post(http, endpoint.resolve("/v1/tenants/" + tenant + "/service-accounts"), adminToken,
                "{\"name\":\"bench\",\"role\":\"member\"}");
        post(http, endpoint.resolve("/v1/tenants/" + tenant + "/topics"), adminToken,
                "{\"name\":\"bench\",\"partitions\":" + partitions + ",\"config\":{\"max.message.bytes\":\"8388608\"}}");
        // A member may write only what an ACL allows: the ACL check is on every produce call.
        post(http, endpoint.resolve("/v1/tenants/" + tenant + "/acls"), adminToken, "{\"principal\":\""
                + account.get("clientId").asText() + "\",\"operation\":\"write\",\"resourceType\":\"topic\","
                + "\"patternType\":\"literal\",\"resourceName\":\"bench\",\"permission\":\"allow\"}");
        if (quota) {
            // Limits on every rate and on storage, none of which the run can reach: the quota gate's limited path, never a refusal.
            send(http, HttpRequest.newBuilder(endpoint.resolve("/v1/tenants/" + tenant + "/quota")).header("Authorization",
                    "Bearer " + adminToken).header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                    "{\"produceBytesPerSecond\":10000000000,\"fetchBytesPerSecond\":10000000000,\"requestsPerSecond\":1000000,"
                    + "\"storageBytes\":1000000000000,\"topics\":10,\"partitions\":1000,\"connections\":100}")).build());
        }
        String token = token(http, props.getProperty("tributary.auth.token-url"), account.get("clientId").asText(),
                account.get("clientSecret").asText());

        byte[] batch = batch(batchRecords, recordBytes);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(endpoint.getHost(), endpoint.getPort(),
                TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build()).maxInboundMessageSize(16 << 20).build();
        ProduceServiceGrpc.ProduceServiceBlockingStub stub = ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token));

        System.out.printf("tenant %s (member principal, ACL, %s), %d producers, %d partitions, batches of %d records x %d bytes"
                + " (%d bytes), acks %s, %ds (+%ds warm-up)%n", tenant, quota ? "quota limits set" : "default quota", producers,
                partitions, batchRecords, recordBytes, batch.length, acks, seconds, warmupSeconds);
        Recorder latency = new Recorder(3);
        LongAdder requests = new LongAdder();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        Acks ack = acks;
        int parts = partitions;
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                int partition = id % parts;
                ByteString bytes = ByteString.copyFrom(batch);
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        return;
                    }
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).produce(ProduceRequest.newBuilder().setTopic("bench").setAcks(ack)
                            .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(bytes)).build());
                    long done = System.nanoTime();
                    if (start >= warmupEnd) {
                        latency.recordValue(TimeUnit.NANOSECONDS.toMicros(done - start));
                        requests.increment();
                    }
                    partition = (partition + 1) % parts;
                }
            }, "producer-" + p);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        Histogram h = latency.getIntervalHistogram();
        long n = requests.sum();
        double records = (double) n * batchRecords / seconds;
        double mb = (double) n * batch.length / seconds / 1e6;
        System.out.printf("requests %d, %.0f records/s, %.1f MB/s (batch bytes)%n", n, records, mb);
        System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        // Clean up: deleting the tenant removes its topic data and account.
        http.send(HttpRequest.newBuilder(endpoint.resolve("/v1/tenants/" + tenant)).header("Authorization", "Bearer " + adminToken)
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private static byte[] batch(int records, int recordBytes) {
        Random random = new Random(42);
        RecordBatchBuilder builder = RecordBatch.builder();
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[recordBytes];
            random.nextBytes(value);
            builder.append(now, ("key-" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        return builder.build();
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = new FileInputStream(caFile.toFile())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String token(HttpClient http, String tokenUrl, String clientId, String secret) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(tokenUrl))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token request: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static JsonNode post(HttpClient http, URI uri, String token, String json) throws Exception {
        return send(http, HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static JsonNode send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        };
    }
}
