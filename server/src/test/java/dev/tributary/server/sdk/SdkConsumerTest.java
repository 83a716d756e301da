package dev.tributary.server.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Header;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerConfig.OffsetReset;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.ConsumerRecords;
import dev.tributary.client.serde.Serdes;
import dev.tributary.record.RecordHeader;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.sdk.SdkTestSupport.Account;
import dev.tributary.server.sdk.SdkTestSupport.TestRecord;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One SDK consumer against the real server over TLS with real tokens: replay by seeking to an
 * offset (inside a batch), a timestamp, the beginning and the end; auto.offset.reset earliest,
 * latest and none, for a new group and for a position outside the retained range; auto-commit;
 * commits with the server's codes, in order; wakeup; tenant isolation; single-thread use.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkConsumerTest {
    /** A fixed past time, so that timestamps are known exactly. */
    private static final long T0 = 1_700_000_000_000L;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private SdkTestSupport support;

    @BeforeEach
    void connect() throws Exception {
        support = SdkTestSupport.connect(root, config.dataDir());
    }

    @AfterEach
    void disconnect() throws Exception {
        support.close();
    }

    private static Consumer<String, String> consumer(TributaryClient client, String group, OffsetReset reset, Map<String, Object> extra) {
        ConsumerConfig.Builder b = ConsumerConfig.builder().autoOffsetReset(reset).enableAutoCommit(false)
                .set(ConsumerConfig.SESSION_TIMEOUT_MS, 3_000);
        if (group != null) {
            b.groupId(group);
        }
        extra.forEach(b::set);
        return client.newConsumer(b.build(), Serdes.stringDeserializer(), Serdes.stringDeserializer());
    }

    /** Polls until {@code count} records arrived; fails after 20 s or if more arrive. */
    private static List<ConsumerRecord<String, String>> read(Consumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (got.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "read " + got.size() + " of " + count + " records in 20 s: " + got);
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        assertEquals(count, got.size(), "records read: " + got);
        return got;
    }

    private static List<Long> offsets(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(o);
        }
        return out;
    }

    /** Polls until poll throws; returns what it threw (fails after 20 s). */
    private static TributaryException pollUntilFailure(Consumer<String, String> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                assertTrue(records.isEmpty(), "expected a failure, got records");
            } catch (TributaryException e) {
                return e;
            }
        }
        throw new AssertionError("poll did not fail within 20 s");
    }

    @Test
    @Timeout(90)
    void seeksReplayFromAnOffsetATimestampTheBeginningAndTheEnd() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "log", 1);
        TopicPartition p0 = new TopicPartition("log", 0);
        // Four batches of five records; record i has timestamp T0 + i s; record 3 has headers.
        for (int b = 0; b < 4; b++) {
            List<TestRecord> batch = new ArrayList<>();
            for (int i = 5 * b; i < 5 * b + 5; i++) {
                List<RecordHeader> headers = i == 3 ? List.of(new RecordHeader("trace", "t-3".getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("empty", null)) : List.of();
                batch.add(new TestRecord(T0 + i * 1000L, i == 4 ? null : "k" + i, "v" + i, headers));
            }
            support.produce(account, "log", 0, batch);
        }
        try (TributaryClient client = TributaryClient.connect(support.profile(account));
                Consumer<String, String> consumer = consumer(client, null, OffsetReset.EARLIEST,
                        Map.of(ConsumerConfig.MAX_POLL_RECORDS, 7))) {
            consumer.assign(List.of(p0));
            assertEquals(Map.of(p0, 0L), consumer.beginningOffsets(List.of(p0)));
            assertEquals(Map.of(p0, 20L), consumer.endOffsets(List.of(p0)));

            List<ConsumerRecord<String, String>> all = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (all.size() < 20 && System.nanoTime() - deadline < 0) {
                ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(200));
                assertTrue(polled.count() <= 7, "max.poll.records is 7, poll returned " + polled.count());
                polled.forEach(all::add);
            }
            assertEquals(range(0, 20), offsets(all));
            ConsumerRecord<String, String> third = all.get(3);
            assertEquals("k3", third.key());
            assertEquals("v3", third.value());
            assertEquals(T0 + 3000, third.timestamp());
            assertEquals(p0, third.topicPartition());
            assertEquals(2, third.headers().size());
            assertEquals(new Header("trace", "t-3".getBytes(StandardCharsets.UTF_8)), third.headers().get(0));
            assertEquals(new Header("empty", null), third.headers().get(1));
            assertEquals(2, third.serializedKeySize());
            assertEquals(null, all.get(4).key());
            assertEquals(-1, all.get(4).serializedKeySize());
            assertEquals(20, consumer.position(p0));

            // Offset 7 is inside the second batch: the fetch returns the whole batch, the consumer skips 5 and 6.
            consumer.seek(p0, 7);
            assertEquals(7, consumer.position(p0));
            assertEquals(range(7, 20), offsets(read(consumer, 13)));

            // The first record at or after T0 + 11.5 s is offset 12.
            consumer.seekToTimestamp(List.of(p0), T0 + 11_500);
            assertEquals(12, consumer.position(p0));
            List<ConsumerRecord<String, String>> fromTwelve = read(consumer, 8);
            assertEquals(range(12, 20), offsets(fromTwelve));
            assertEquals("v12", fromTwelve.get(0).value());

            consumer.seekToBeginning(List.of(p0));
            assertEquals(range(0, 20), offsets(read(consumer, 20)));

            consumer.seekToEnd(List.of(p0));
            assertEquals(20, consumer.position(p0));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing after the end yet");
            support.produce(account, "log", 0, List.of(TestRecord.of(T0 + 20_000, "k20", "v20"), TestRecord.of(T0 + 21_000, "k21", "v21")));
            List<ConsumerRecord<String, String>> fresh = read(consumer, 2);
            assertEquals(List.of(20L, 21L), offsets(fresh));
            assertEquals(List.of("v20", "v21"), fresh.stream().map(ConsumerRecord::value).toList());

            // A timestamp later than every record: the end, where such a record would be written.
            consumer.seekToTimestamp(List.of(p0), T0 + 3_600_000);
            assertEquals(22, consumer.position(p0));
        }
    }

    @Test
    @Timeout(90)
    void autoOffsetResetDecidesWhereAGroupWithoutOffsetsStarts() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "rates", 2);
        TopicPartition p0 = new TopicPartition("rates", 0);
        TopicPartition p1 = new TopicPartition("rates", 1);
        for (int p = 0; p < 2; p++) {
            support.produceValues(account, "rates", p, 5, SdkTestSupport.values("r", p, 0, 5));
        }
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            try (Consumer<String, String> earliest = consumer(client, "from-start", OffsetReset.EARLIEST, Map.of())) {
                earliest.subscribe(List.of("rates"));
                assertEquals(10, read(earliest, 10).size());
            }

            try (Consumer<String, String> latest = consumer(client, "from-now", OffsetReset.LATEST, Map.of())) {
                latest.subscribe(List.of("rates"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!latest.assignment().equals(Set.of(p0, p1))) {
                    assertTrue(System.nanoTime() - deadline < 0, "not assigned in 20 s");
                    assertTrue(latest.poll(Duration.ofMillis(100)).isEmpty());
                }
                assertEquals(5, latest.position(p0));
                assertEquals(5, latest.position(p1));
                support.produceValues(account, "rates", 0, 3, SdkTestSupport.values("r", 0, 5, 8));
                assertEquals(List.of("r-0-5", "r-0-6", "r-0-7"), read(latest, 3).stream().map(ConsumerRecord::value).toList());
            }

            try (Consumer<String, String> strict = consumer(client, "strict", OffsetReset.NONE, Map.of())) {
                strict.subscribe(List.of("rates"));
                TributaryException noOffset = pollUntilFailure(strict);
                assertEquals("NO_COMMITTED_OFFSET", noOffset.code(), noOffset.getMessage());
                assertEquals(Set.of(p0, p1), strict.assignment());
                strict.seek(p0, 6);
                strict.seek(p1, 3);
                assertEquals(List.of("r-0-6", "r-0-7", "r-1-3", "r-1-4"),
                        read(strict, 4).stream().map(ConsumerRecord::value).sorted().toList());
            }

            // A position outside the retained range [0, 8] of partition 0.
            try (Consumer<String, String> none = consumer(client, null, OffsetReset.NONE, Map.of())) {
                none.assign(List.of(p0));
                assertEquals("NO_COMMITTED_OFFSET", pollUntilFailure(none).code());
                none.seek(p0, 100);
                TributaryException outOfRange = pollUntilFailure(none);
                assertEquals("OFFSET_OUT_OF_RANGE", outOfRange.code(), outOfRange.getMessage());
                assertEquals("8", outOfRange.metadata().get("high_watermark"));
                assertEquals("0", outOfRange.metadata().get("log_start_offset"));
                assertEquals("OFFSET_OUT_OF_RANGE", pollUntilFailure(none).code(), "it stays failed until a seek");
                none.seek(p0, 7);
                assertEquals(List.of(7L), offsets(read(none, 1)));
            }
            try (Consumer<String, String> toStart = consumer(client, null, OffsetReset.EARLIEST, Map.of())) {
                toStart.assign(List.of(p0));
                toStart.seek(p0, 100);
                assertEquals(range(0, 8), offsets(read(toStart, 8)));
            }
            try (Consumer<String, String> toEnd = consumer(client, null, OffsetReset.LATEST, Map.of())) {
                toEnd.assign(List.of(p0));
                toEnd.seek(p0, 100);
                assertTrue(toEnd.poll(Duration.ofMillis(500)).isEmpty());
                support.produceValues(account, "rates", 0, 1, List.of("r-0-8"));
                List<ConsumerRecord<String, String>> got = read(toEnd, 1);
                assertEquals(8, got.get(0).offset());
                assertEquals(9, toEnd.position(p0));
            }
        }
    }

    @Test
    @Timeout(90)
    void commitsCarryTheServersCodesAndLandInOrder() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "ledger", 1);
        support.createTopic(account, "other", 1);
        TopicPartition p0 = new TopicPartition("ledger", 0);
        support.produceValues(account, "ledger", 0, 10, SdkTestSupport.values("l", 0, 0, 10));
        try (TributaryClient client = TributaryClient.connect(support.profile(account));
                Consumer<String, String> member = consumer(client, "accounts", OffsetReset.EARLIEST, Map.of())) {
            member.subscribe(List.of("ledger"));
            assertEquals(10, read(member, 10).size());

            List<CompletableFuture<Void>> commits = new ArrayList<>();
            for (long o = 1; o <= 6; o++) {
                commits.add(member.commitAsync(Map.of(p0, o)));
            }
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertEquals(OptionalLong.of(6), member.committed(p0), "the last commit made is the one that stays");
            member.commitSync();
            assertEquals(OptionalLong.of(10), member.committed(p0));

            TributaryException beyond = assertThrows(TributaryException.class, () -> member.commitSync(Map.of(p0, 11L)));
            assertEquals("INVALID_OFFSET", beyond.code(), beyond.getMessage());
            TributaryException notMine = assertThrows(TributaryException.class,
                    () -> member.commitSync(Map.of(new TopicPartition("other", 0), 0L)));
            assertEquals("NOT_ASSIGNED", notMine.code(), notMine.getMessage());
            assertEquals(OptionalLong.of(10), member.committed(p0));
        }
    }

    @Test
    @Timeout(90)
    void autoCommitCommitsWhatPollReturnedPeriodicallyAndOnClose() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "clicks", 1);
        TopicPartition p0 = new TopicPartition("clicks", 0);
        support.produceValues(account, "clicks", 0, 5, SdkTestSupport.values("c", 0, 0, 5));
        try (TributaryClient client = TributaryClient.connect(support.profile(account));
                Consumer<String, String> offsets = consumer(client, "tally", OffsetReset.EARLIEST, Map.of())) {
            offsets.assign(List.of(p0)); // reads the group's offsets without joining it
            try (Consumer<String, String> periodic = consumer(client, "tally", OffsetReset.EARLIEST,
                    Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, true, ConsumerConfig.AUTO_COMMIT_INTERVAL_MS, 200))) {
                periodic.subscribe(List.of("clicks"));
                assertEquals(5, read(periodic, 5).size());
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!offsets.committed(p0).equals(OptionalLong.of(5))) {
                    assertTrue(System.nanoTime() - deadline < 0, "no auto-commit within 20 s");
                    assertTrue(periodic.poll(Duration.ofMillis(100)).isEmpty());
                }
            }
            support.produceValues(account, "clicks", 0, 3, SdkTestSupport.values("c", 0, 5, 8));
            try (Consumer<String, String> onClose = consumer(client, "tally", OffsetReset.EARLIEST,
                    Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT, true, ConsumerConfig.AUTO_COMMIT_INTERVAL_MS, 600_000))) {
                onClose.subscribe(List.of("clicks"));
                assertEquals(List.of(5L, 6L, 7L), offsets(read(onClose, 3)), "starts at the committed offset");
                assertEquals(OptionalLong.of(5), offsets.committed(p0), "not yet: the interval is ten minutes");
            }
            assertEquals(OptionalLong.of(8), offsets.committed(p0), "close committed");
        }
    }

    @Test
    @Timeout(60)
    void wakeupInterruptsABlockedPollOrTheNextOne() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "quiet", 1);
        TopicPartition p0 = new TopicPartition("quiet", 0);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (TributaryClient client = TributaryClient.connect(support.profile(account));
                Consumer<String, String> consumer = consumer(client, null, OffsetReset.LATEST, Map.of())) {
            consumer.assign(List.of(p0));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty());

            background.submit(() -> {
                Thread.sleep(300);
                consumer.wakeup();
                return null;
            });
            long start = System.nanoTime();
            TributaryException woken = assertThrows(TributaryException.class, () -> consumer.poll(Duration.ofSeconds(30)));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(TributaryException.INTERRUPTED, woken.code());
            assertTrue(tookMs < 5_000, "poll returned " + tookMs + " ms after it was called");

            consumer.wakeup(); // nobody blocked: the next call throws at once
            assertEquals(TributaryException.INTERRUPTED, assertThrows(TributaryException.class,
                    () -> consumer.poll(Duration.ofSeconds(30))).code());
            support.produceValues(account, "quiet", 0, 1, List.of("q-0-0"));
            assertEquals(List.of("q-0-0"), read(consumer, 1).stream().map(ConsumerRecord::value).toList(), "usable afterwards");
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    @Timeout(60)
    void anotherTenantsTopicIsNotVisible() throws Exception {
        Account owner = support.newTenant("sdkc");
        Account stranger = support.newTenant("sdkc");
        support.createTopic(owner, "secret", 1);
        support.produceValues(owner, "secret", 0, 3, SdkTestSupport.values("s", 0, 0, 3));
        TopicPartition secret = new TopicPartition("secret", 0);
        try (TributaryClient client = TributaryClient.connect(support.profile(stranger))) {
            try (Consumer<String, String> manual = consumer(client, null, OffsetReset.EARLIEST, Map.of())) {
                manual.assign(List.of(secret));
                TributaryException unknown = pollUntilFailure(manual);
                assertEquals("UNKNOWN_TOPIC", unknown.code(), unknown.getMessage());
                assertEquals("UNKNOWN_TOPIC", assertThrows(TributaryException.class,
                        () -> manual.endOffsets(List.of(secret))).code());
            }
            try (Consumer<String, String> member = consumer(client, "curious", OffsetReset.EARLIEST, Map.of())) {
                member.subscribe(List.of("secret"));
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() - until < 0) {
                    assertTrue(member.poll(Duration.ofMillis(200)).isEmpty(), "read another tenant's records");
                    assertTrue(member.assignment().isEmpty(), "assigned another tenant's partitions");
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void misuseFailsPrecisely() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "misc", 1);
        TopicPartition p0 = new TopicPartition("misc", 0);
        support.produceValues(account, "misc", 0, 2, SdkTestSupport.values("m", 0, 0, 2));
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            try (Consumer<String, String> noGroup = consumer(client, null, OffsetReset.EARLIEST, Map.of())) {
                assertEquals(TributaryException.INVALID_CONFIG, assertThrows(TributaryException.class,
                        () -> noGroup.subscribe(List.of("misc"))).code());
                assertThrows(IllegalStateException.class, () -> noGroup.poll(Duration.ofMillis(10)), "neither subscribed nor assigned");
                noGroup.assign(List.of(p0));
                assertEquals(TributaryException.INVALID_CONFIG, assertThrows(TributaryException.class, () -> noGroup.committed(p0)).code());
                assertThrows(IllegalStateException.class, () -> noGroup.position(new TopicPartition("misc", 1)), "not assigned");
            }

            // With a group but without membership (assign): reading committed offsets works, committing does not.
            try (Consumer<String, String> member = consumer(client, "owners", OffsetReset.EARLIEST, Map.of())) {
                member.subscribe(List.of("misc"));
                assertEquals(2, read(member, 2).size());
                member.commitSync();
            }
            try (Consumer<String, String> manual = consumer(client, "owners", OffsetReset.EARLIEST, Map.of())) {
                manual.assign(List.of(p0));
                assertEquals(OptionalLong.of(2), manual.committed(p0));
                assertEquals(2, manual.position(p0), "starts at the group's committed offset");
                IllegalStateException notMember = assertThrows(IllegalStateException.class, () -> manual.commitSync(Map.of(p0, 1L)));
                assertTrue(notMember.getMessage().contains("subscribe"), notMember.getMessage());
                assertThrows(IllegalStateException.class, manual::commitAsync);
                assertEquals(OptionalLong.of(2), manual.committed(p0));
            }

            // One thread at a time; only wakeup() may come from another.
            ExecutorService other = Executors.newSingleThreadExecutor();
            try (Consumer<String, String> shared = consumer(client, null, OffsetReset.LATEST, Map.of())) {
                shared.assign(List.of(p0));
                Future<ConsumerRecords<String, String>> polling = other.submit(() -> shared.poll(Duration.ofSeconds(20)));
                Thread.sleep(300);
                assertThrows(ConcurrentModificationException.class, () -> shared.position(p0));
                shared.wakeup();
                try {
                    polling.get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals(TributaryException.INTERRUPTED, ((TributaryException) e.getCause()).code());
                }
            } finally {
                other.shutdownNow();
            }
        }
    }

    @Test
    @Timeout(30)
    void closedConsumerRefusesWork() throws Exception {
        Account account = support.newTenant("sdkc");
        support.createTopic(account, "done", 1);
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            Consumer<String, String> consumer = consumer(client, null, OffsetReset.EARLIEST, Map.of());
            consumer.assign(List.of(new TopicPartition("done", 0)));
            consumer.close();
            consumer.close(); // idempotent
            assertEquals(TributaryException.CLOSED, assertThrows(TributaryException.class,
                    () -> consumer.poll(Duration.ofMillis(10))).code());
            assertArrayEquals(new Object[0], consumer.assignment().toArray(), "a closed consumer holds nothing");
        }
    }
}
