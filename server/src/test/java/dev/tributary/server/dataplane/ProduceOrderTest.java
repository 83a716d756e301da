package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionProduceResult;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.dataplane.produce.AppendCoalescer;
import dev.tributary.dataplane.quarkus.ProduceArrivalOrder;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The order guarantee of Produce, over the real TLS listener with real tokens: calls for one
 * partition sent one after the other on one connection, without waiting for answers, are appended
 * in send order, although their validation takes very different times (a tiny batch, a large
 * uncompressed one, a compressed one of 50,000 records that must be decompressed and walked) and
 * runs in parallel on the storage threads. Calls that fail validation in the middle write nothing
 * and do not hold up the ones behind them.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class ProduceOrderTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    AppendCoalescer coalescer;
    @Inject
    ProduceArrivalOrder arrivalOrder;

    private TestClient client;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        Path caFile = config.dataDir().resolve("tls/ca.pem");
        client = new TestClient(root.toURI(), caFile);
        admin = client.adminToken(config.dataDir());
        channel = TestClient.grpcChannel(root.getPort(), caFile);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A new tenant with a topic; returns a member's token. */
    private String tenantWithTopic(String topic, int partitions) throws Exception {
        String tenant = "po-" + UUID.randomUUID().toString().substring(0, 8);
        String token = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        HttpResponse<String> created = client.postJson("/v1/tenants/" + tenant + "/topics", admin,
                "{\"name\":\"" + topic + "\",\"partitions\":" + partitions + ",\"config\":{}}");
        assertEquals(201, created.statusCode(), created.body());
        return token;
    }

    /** What a call carries, by kind; every batch's first record is "call-N" (N: the call's index). */
    private enum Kind {
        TINY, LARGE, DECOMPRESS_HEAVY,
        // Refused:
        CORRUPT_CRC, ABOVE_MAX_MESSAGE_BYTES, LYING_COMPRESSED, UNKNOWN_PARTITION_ALONGSIDE,
        /** A tiny batch sent with a tampered token: refused before the handler runs. */
        BAD_TOKEN
    }

    private static final Random RANDOM = new Random(42);

    private static byte[] batch(int call, Kind kind) {
        byte[] first = ("call-" + call).getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis(); // retention must not find the records old
        RecordBatchBuilder b = RecordBatch.builder();
        switch (kind) {
            case TINY, CORRUPT_CRC, UNKNOWN_PARTITION_ALONGSIDE, BAD_TOKEN -> {
                b.append(now, null, first);
                b.append(now, null, "tail".getBytes(StandardCharsets.UTF_8));
            }
            case LARGE -> {
                // 300 KB of random bytes: copied and checksummed, nothing to decompress.
                byte[] noise = new byte[300_000];
                RANDOM.nextBytes(noise);
                b.append(now, null, first).append(now, null, noise);
            }
            case ABOVE_MAX_MESSAGE_BYTES -> {
                byte[] noise = new byte[1_100_000]; // the topic's default max.message.bytes is 1048588
                RANDOM.nextBytes(noise);
                b.append(now, null, first).append(now, null, noise);
            }
            case DECOMPRESS_HEAVY, LYING_COMPRESSED -> {
                // A few hundred bytes on the wire, about 600 KB of records to decompress and walk one by one.
                b.compression(CompressionCodec.ZSTD).append(now, null, first);
                byte[] value = "abcd".getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 50_000; i++) {
                    b.append(now, null, value);
                }
            }
        }
        byte[] bytes = b.build();
        if (kind == Kind.CORRUPT_CRC) {
            bytes[bytes.length - 1] ^= 1;
        } else if (kind == Kind.LYING_COMPRESSED) {
            // Declares one byte more than the payload decodes to, with a valid CRC: refused only
            // after the whole payload was decompressed (UNCOMPRESSED_SIZE_MISMATCH).
            int at = RecordBatch.HEADER_BYTES;
            putInt(bytes, at, getInt(bytes, at) + 1);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 17, bytes.length - 17);
            putInt(bytes, 13, (int) crc.getValue());
        }
        return bytes;
    }

    private static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** Call {@code call}: partition 0 always; partition 1 too on every third call (two queues, one call). */
    private static ProduceRequest request(String topic, int call, Kind kind) {
        ProduceRequest.Builder r = ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(0).addBatches(ByteString.copyFrom(batch(call, kind))));
        if (call % 3 == 0) {
            r.addPartitions(PartitionBatches.newBuilder().setPartition(1)
                    .addBatches(ByteString.copyFrom(batch(call, kind == Kind.UNKNOWN_PARTITION_ALONGSIDE ? Kind.TINY : kind))));
        }
        if (kind == Kind.UNKNOWN_PARTITION_ALONGSIDE) {
            r.addPartitions(PartitionBatches.newBuilder().setPartition(7).addBatches(ByteString.copyFrom(batch(call, Kind.TINY))));
        }
        return r.build();
    }

    /**
     * Sends every call at once on the one channel, in index order, without waiting for any answer;
     * the calls of {@link Kind#BAD_TOKEN} with a tampered token.
     */
    private List<CompletableFuture<ProduceResponse>> pipeline(String token, List<ProduceRequest> requests, List<Kind> kinds) {
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        List<CompletableFuture<ProduceResponse>> answers = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            ProduceServiceGrpc.ProduceServiceStub stub = ProduceServiceGrpc.newStub(channel)
                    .withCallCredentials(TestClient.bearer(kinds.get(i) == Kind.BAD_TOKEN ? tampered : token))
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
            stub.produce(requests.get(i), new StreamObserver<>() {
                @Override
                public void onNext(ProduceResponse value) {
                    answer.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    answer.complete(null);
                }
            });
            answers.add(answer);
        }
        return answers;
    }

    /** The first record value of every stored batch of the partition, in offset order, with its offset. */
    private List<String> storedCalls(String token, String topic, int partition) {
        FetchServiceGrpc.FetchServiceBlockingStub fetch = FetchServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(TestClient.bearer(token)).withDeadlineAfter(30, TimeUnit.SECONDS);
        List<String> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            FetchResponse r = fetch.fetch(FetchRequest.newBuilder().setTopic(topic).addPartitions(PartitionFetch.newBuilder()
                    .setPartition(partition).setOffset(offset).setMaxBytes(2 << 20)).build());
            List<ByteString> batches = r.getPartitions(0).getBatchesList();
            if (batches.isEmpty()) {
                return out;
            }
            for (ByteString bytes : batches) {
                RecordBatch batch = RecordBatch.parse(bytes.toByteArray());
                Record first = batch.iterator().next();
                out.add(batch.baseOffset() + ":" + new String(first.value(), StandardCharsets.UTF_8));
                offset = batch.lastOffset() + 1;
            }
        }
    }

    /**
     * Opens the connection before the pipelined calls start (calls made while it connects are
     * started by grpc-java on several threads, in no particular order) with a call of the platform
     * administrator, refused: the member's token is then new to the server, so every pipelined call
     * goes through full token verification, which reads the store on worker threads in parallel
     * and finishes in any order. The order must not come from there.
     */
    private void warmUp(String topic) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ProduceServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(TestClient.bearer(admin)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .produce(request(topic, 1, Kind.TINY)));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
    }

    /**
     * Runs the calls and checks: every call of a refused kind failed with its code and wrote nothing;
     * every other call succeeded; in each partition the successful calls' batches are stored, and
     * were acknowledged, at increasing offsets in send order.
     */
    private void assertAppendedInSendOrder(String token, String topic, List<Kind> kinds) throws Exception {
        List<ProduceRequest> requests = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            requests.add(request(topic, i, kinds.get(i)));
        }
        long started = System.nanoTime();
        long orderedBefore = arrivalOrder.orderedCalls();
        List<CompletableFuture<ProduceResponse>> answers = pipeline(token, requests, kinds);
        Map<Integer, List<String>> expected = new HashMap<>();
        Map<Integer, Long> lastBase = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            expected.put(p, new ArrayList<>());
            lastBase.put(p, -1L);
        }
        int refused = 0;
        for (int i = 0; i < kinds.size(); i++) {
            Kind kind = kinds.get(i);
            String expectedCode = switch (kind) {
                case CORRUPT_CRC, LYING_COMPRESSED -> "INVALID_BATCH";
                case ABOVE_MAX_MESSAGE_BYTES -> "RECORD_TOO_LARGE";
                case UNKNOWN_PARTITION_ALONGSIDE -> "UNKNOWN_PARTITION";
                case BAD_TOKEN -> "INVALID_TOKEN";
                default -> null;
            };
            ProduceResponse answer;
            try {
                answer = answers.get(i).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Status status = Status.fromThrowable(e.getCause());
                if (expectedCode == null) {
                    fail("call " + i + " (" + kind + ") failed: " + status);
                }
                assertEquals(expectedCode, Status.trailersFromThrowable(e.getCause()).get(ERROR_CODE), "call " + i + ": " + status);
                refused++;
                continue;
            }
            if (expectedCode != null) {
                fail("call " + i + " (" + kind + ") should have been refused with " + expectedCode);
            }
            for (PartitionProduceResult result : answer.getPartitionsList()) {
                int p = result.getPartition();
                long base = result.getBatches(0).getBaseOffset();
                assertTrue(base > lastBase.get(p), "partition " + p + ": call " + i + " (" + kind + ") acknowledged at offset "
                        + base + ", not after the previous call's " + lastBase.get(p));
                lastBase.put(p, base);
                expected.get(p).add(base + ":call-" + i);
            }
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // Every call that reached the handler took its places through the connection's arrival
        // order, not the handler's; those with a bad token never reached it, and held nothing up.
        long reachedHandler = kinds.stream().filter(k -> k != Kind.BAD_TOKEN).count();
        assertEquals(reachedHandler, arrivalOrder.orderedCalls() - orderedBefore, "calls ordered by arrival");
        for (int p = 0; p < 2; p++) {
            assertEquals(expected.get(p), storedCalls(token, topic, p), "partition " + p + ": exactly the accepted calls, in send order");
        }
        System.out.printf("ProduceOrderTest: %d pipelined calls (%d refused) answered in %d ms%n", kinds.size(), refused, elapsedMs);
    }

    @Test
    @Timeout(120)
    void pipelinedCallsForOnePartitionAreAppendedInSendOrder() throws Exception {
        String token = tenantWithTopic("ordered", 2);
        warmUp("ordered");
        List<Kind> kinds = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            // Heavy validation first, then cheap ones that would overtake it if validation decided the order.
            kinds.add(switch (i % 6) {
                case 0 -> Kind.DECOMPRESS_HEAVY;
                case 1 -> Kind.LARGE;
                default -> Kind.TINY;
            });
        }
        assertAppendedInSendOrder(token, "ordered", kinds);
        // Every queue is dropped once its last place is appended (this class's tests run alone).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (coalescer.activeQueues() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, coalescer.activeQueues(), "partition queues left behind");
    }

    @Test
    @Timeout(120)
    void refusedCallsInTheMiddleWriteNothingAndHoldNothingUp() throws Exception {
        String token = tenantWithTopic("gaps", 2);
        warmUp("gaps");
        List<Kind> kinds = new ArrayList<>();
        Kind[] refusals = {Kind.LYING_COMPRESSED, Kind.CORRUPT_CRC, Kind.ABOVE_MAX_MESSAGE_BYTES, Kind.UNKNOWN_PARTITION_ALONGSIDE,
            Kind.BAD_TOKEN};
        for (int i = 0; i < 100; i++) {
            if (i % 10 == 4) {
                kinds.add(refusals[(i / 10) % refusals.length]);
            } else {
                kinds.add(switch (i % 5) {
                    case 0 -> Kind.DECOMPRESS_HEAVY;
                    case 2 -> Kind.LARGE;
                    default -> Kind.TINY;
                });
            }
        }
        assertAppendedInSendOrder(token, "gaps", kinds);
    }

    @Test
    @Timeout(120)
    void aCallResetBeforeItsHandlerRanHoldsNothingUp() throws Exception {
        String token = tenantWithTopic("resets", 2);
        warmUp("resets");
        ProduceServiceGrpc.ProduceServiceStub stub = ProduceServiceGrpc.newStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        // Call 1 carries 12 MB: far more than the HTTP/2 flow-control windows let through before the
        // server reads it, so it is still arriving when the client resets it, and its handler never
        // runs. Calls 2 and 3 arrived after it on the same connection and must not wait for it.
        byte[] large = new byte[12_000_000];
        RANDOM.nextBytes(large);
        ProduceRequest unfinished = ProduceRequest.newBuilder().setTopic("resets").addPartitions(PartitionBatches.newBuilder()
                .setPartition(0).addBatches(ByteString.copyFrom(large))).build();
        long orderedBefore = arrivalOrder.orderedCalls();
        List<CompletableFuture<ProduceResponse>> answers = new ArrayList<>();
        io.grpc.Context.CancellableContext cancellable = io.grpc.Context.current().withCancellation();
        for (int i = 0; i < 4; i++) {
            ProduceRequest request = i == 1 ? unfinished : request("resets", i, Kind.TINY);
            CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
            StreamObserver<ProduceResponse> observer = new StreamObserver<>() {
                @Override
                public void onNext(ProduceResponse value) {
                    answer.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    answer.complete(null);
                }
            };
            if (i == 1) {
                cancellable.run(() -> stub.produce(request, observer));
            } else {
                stub.produce(request, observer);
            }
            answers.add(answer);
        }
        Thread.sleep(300);
        assertTrue(!answers.get(2).isDone() && !answers.get(3).isDone(), "calls 2 and 3 wait while call 1 is still arriving");
        cancellable.cancel(null);
        ExecutionException reset = assertThrows(ExecutionException.class, () -> answers.get(1).get(30, TimeUnit.SECONDS));
        assertEquals(Status.Code.CANCELLED, Status.fromThrowable(reset.getCause()).getCode());
        long[] offsets = new long[4];
        for (int i : new int[] {0, 2, 3}) {
            offsets[i] = answers.get(i).get(30, TimeUnit.SECONDS).getPartitions(0).getBatches(0).getBaseOffset();
        }
        assertEquals(List.of(0L, 2L, 4L), List.of(offsets[0], offsets[2], offsets[3]), "calls 0, 2, 3 in send order");
        assertEquals(List.of("0:call-0", "2:call-2", "4:call-3"), storedCalls(token, "resets", 0));
        assertEquals(3, arrivalOrder.orderedCalls() - orderedBefore, "the reset call never reached the handler");
    }
}
