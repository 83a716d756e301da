package dev.tributary.server.sdk;

import static dev.tributary.server.sdk.SdkTestSupport.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.RebalanceListener;
import dev.tributary.client.serde.Serdes;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.sdk.PollingConsumer.Event;
import dev.tributary.server.sdk.PollingConsumer.Read;
import dev.tributary.server.sdk.PollingConsumer.Shared;
import dev.tributary.server.sdk.SdkTestSupport.Account;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK consumer in groups, against the real server over TLS with real tokens: members of one
 * group split the partitions and read every record once; partitions move on join and leave
 * without loss when members commit on revocation, and never belong to two members at once; groups
 * read independently (pub-sub); a member that stops heartbeating, or stops polling, loses its
 * partitions and the group refuses its later commits with the server's code.
 *
 * <p>Session timeouts are short (the server's minimum is 1 s; the SDK heartbeats every third of
 * the session), so that rebalances take a second or two.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class SdkConsumerGroupTest {
    private static final int SESSION_TIMEOUT_MS = 3_000;

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

    private static Consumer<String, String> consumer(TributaryClient client, String group, Map<String, Object> extra) {
        ConsumerConfig.Builder b = ConsumerConfig.builder().groupId(group).autoOffsetReset(ConsumerConfig.OffsetReset.EARLIEST)
                .enableAutoCommit(false).set(ConsumerConfig.SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MS);
        extra.forEach(b::set);
        return client.newConsumer(b.build(), Serdes.stringDeserializer(), Serdes.stringDeserializer());
    }

    private static Set<TopicPartition> partitionsOf(String topic, int count) {
        Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < count; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return all;
    }

    /** Whether the members hold disjoint, non-empty partition sets that together are exactly {@code all}. */
    private static boolean splitExactly(List<PollingConsumer> members, Set<TopicPartition> all) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (PollingConsumer m : members) {
            Set<TopicPartition> held = m.assignment();
            if (held.isEmpty()) {
                return false;
            }
            union.addAll(held);
            total += held.size();
        }
        return total == all.size() && union.equals(all);
    }

    private static void assertEachOnce(Collection<Read> reads, Collection<String> expected) {
        Map<String, Long> counts = reads.stream().collect(Collectors.groupingBy(Read::value, Collectors.counting()));
        assertEquals(new HashSet<>(expected), counts.keySet(), "values read");
        counts.forEach((value, n) -> assertEquals(1L, n, "times " + value + " was read"));
    }

    @Test
    @Timeout(120)
    void membersOfOneGroupSplitThePartitionsAndReadEveryRecordOnce() throws Exception {
        Account account = support.newTenant("sdkg");
        support.createTopic(account, "orders", 6);
        Set<TopicPartition> all = partitionsOf("orders", 6);
        Shared shared = new Shared();
        List<String> produced = new ArrayList<>();
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            List<PollingConsumer> members = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    members.add(new PollingConsumer("m" + i, consumer(client, "billing", Map.of()), List.of("orders"), shared, false));
                }
                // Cooperative moves pass through uneven splits that already cover the topic (4/1/1): wait for the balanced one.
                awaitCondition(30_000, "three members holding two disjoint partitions each, covering the topic",
                        () -> splitExactly(members, all) && members.stream().allMatch(m -> m.assignment().size() == 2));
                Map<TopicPartition, String> owner = new HashMap<>();
                for (PollingConsumer m : members) {
                    assertEquals(2, m.assignment().size(), m.name + " holds " + m.assignment());
                    m.assignment().forEach(tp -> owner.put(tp, m.name));
                }

                for (int p = 0; p < 6; p++) {
                    List<String> values = SdkTestSupport.values("o", p, 0, 40);
                    support.produceValues(account, "orders", p, 8, values);
                    produced.addAll(values);
                }
                awaitCondition(30_000, "240 records read", () -> shared.reads.size() >= produced.size());
                Thread.sleep(500); // a duplicate would arrive in this time
                assertEachOnce(shared.reads, produced);
                for (Read r : shared.reads) {
                    assertEquals(owner.get(r.partition()), r.member(), "member that read " + r);
                }
                assertTrue(splitExactly(members, all), "the assignment did not change");
                for (PollingConsumer m : members) {
                    assertEquals(owner.entrySet().stream().filter(e -> e.getValue().equals(m.name)).map(Map.Entry::getKey)
                            .collect(Collectors.toSet()), m.assignment());
                }
            } finally {
                for (PollingConsumer m : members) {
                    m.close();
                }
            }

            // Each member committed after processing: the group's offsets are at the end of every partition.
            try (Consumer<String, String> reader = consumer(client, "billing", Map.of())) {
                reader.assign(all);
                for (TopicPartition tp : all) {
                    assertEquals(OptionalLong.of(40), reader.committed(tp), "committed offset of " + tp);
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void aJoiningAndALeavingMemberMovePartitionsWithoutLosingOrRepeatingRecords() throws Exception {
        Account account = support.newTenant("sdkg");
        support.createTopic(account, "events", 4);
        Set<TopicPartition> all = partitionsOf("events", 4);
        Shared shared = new Shared();
        ConcurrentLinkedQueue<String> produced = new ConcurrentLinkedQueue<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        List<Throwable> producerFailure = new CopyOnWriteArrayList<>();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; producing.get(); i++) {
                    for (int p = 0; p < 4; p++) {
                        List<String> values = SdkTestSupport.values("e", p, 2 * i, 2 * i + 2);
                        support.produceValues(account, "events", p, 2, values);
                        produced.addAll(values);
                    }
                    Thread.sleep(10);
                }
            } catch (Throwable t) {
                producerFailure.add(t);
            }
        }, "test-producer");
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            producer.start();
            PollingConsumer a = new PollingConsumer("a", consumer(client, "audit", Map.of()), List.of("events"), shared, true);
            PollingConsumer b = null;
            try {
                awaitCondition(30_000, "a holds every partition and reads", () -> a.assignment().equals(all)
                        && shared.readsOf("a").size() > 20);
                b = new PollingConsumer("b", consumer(client, "audit", Map.of()), List.of("events"), shared, true);
                PollingConsumer joined = b;
                awaitCondition(30_000, "a and b holding two partitions each", () -> splitExactly(List.of(a, joined), all));
                int readByB = shared.readsOf("b").size();
                awaitCondition(30_000, "b reads its partitions", () -> shared.readsOf("b").size() > readByB + 10);
                a.close(); // revokes (committing in the listener), then leaves the group
                awaitCondition(30_000, "b holding every partition after a left", () -> joined.assignment().equals(all));
                int total = shared.reads.size();
                awaitCondition(30_000, "b reads the partitions a had", () -> shared.reads.size() > total + 20);
            } finally {
                producing.set(false);
                producer.join(30_000);
                if (b != null) {
                    PollingConsumer last = b;
                    try {
                        awaitCondition(30_000, "every produced record read", () -> shared.reads.size() >= produced.size());
                        Thread.sleep(300); // a duplicate would arrive in this time
                    } finally {
                        last.close();
                    }
                }
                a.close();
            }
        }
        assertTrue(producerFailure.isEmpty(), () -> "producer failed: " + producerFailure);
        assertEachOnce(shared.reads, produced);

        // Every offset of each partition was read exactly once, across the handovers.
        Map<TopicPartition, List<Long>> offsets = new TreeMap<>();
        for (Read r : shared.reads) {
            offsets.computeIfAbsent(r.partition(), tp -> new ArrayList<>()).add(r.offset());
        }
        offsets.forEach((tp, list) -> {
            list.sort(null);
            for (int i = 0; i < list.size(); i++) {
                assertEquals((long) i, list.get(i), "offset #" + i + " read from " + tp);
            }
        });

        // A partition is handed to a member only after the previous holder gave it up.
        List<Event> events = new ArrayList<>(shared.events);
        events.sort(Comparator.comparingLong(Event::seq));
        Map<TopicPartition, String> holder = new HashMap<>();
        Set<String> moved = new HashSet<>();
        for (Event e : events) {
            for (TopicPartition tp : e.partitions()) {
                if (e.kind().equals("assigned")) {
                    assertFalse(holder.containsKey(tp), tp + " assigned to " + e.member() + " while " + holder.get(tp) + " held it");
                    holder.put(tp, e.member());
                } else {
                    assertEquals(e.member(), holder.get(tp), tp + " " + e.kind() + " by a member that did not hold it");
                    holder.remove(tp);
                    moved.add(tp.toString());
                }
            }
        }
        assertEquals(4, moved.size(), "every partition moved at least once: " + events);
    }

    @Test
    @Timeout(120)
    void groupsReadIndependentlyEachReadingEveryRecord() throws Exception {
        Account account = support.newTenant("sdkg");
        support.createTopic(account, "news", 3);
        List<String> produced = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            List<String> values = SdkTestSupport.values("n", p, 0, 30);
            support.produceValues(account, "news", p, 5, values);
            produced.addAll(values);
        }
        Shared readers = new Shared();
        Shared archivers = new Shared();
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            List<PollingConsumer> all = new ArrayList<>();
            try {
                all.add(new PollingConsumer("r1", consumer(client, "readers", Map.of()), List.of("news"), readers, true));
                all.add(new PollingConsumer("r2", consumer(client, "readers", Map.of()), List.of("news"), readers, true));
                all.add(new PollingConsumer("x1", consumer(client, "archivers", Map.of()), List.of("news"), archivers, true));
                awaitCondition(30_000, "both groups read everything",
                        () -> readers.reads.size() >= produced.size() && archivers.reads.size() >= produced.size());
                awaitCondition(30_000, "the readers split the partitions",
                        () -> splitExactly(all.subList(0, 2), partitionsOf("news", 3)));
                Thread.sleep(300);
            } finally {
                for (PollingConsumer c : all) {
                    c.close();
                }
            }
        }
        assertEachOnce(readers.reads, produced);
        assertEachOnce(archivers.reads, produced);
        assertEquals(Set.of("x1"), archivers.reads.stream().map(Read::member).collect(Collectors.toSet()));
    }

    /** Records rebalance callbacks of a consumer driven by the test thread itself. */
    private static final class RecordingListener implements RebalanceListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            events.add("revoked " + new java.util.TreeSet<>(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            events.add("assigned " + new java.util.TreeSet<>(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            events.add("lost " + new java.util.TreeSet<>(partitions));
        }
    }

    /** Polls until {@code count} records were returned (or fails after 20 s). */
    private static List<ConsumerRecord<String, String>> pollRecords(Consumer<String, String> consumer, int count) throws Exception {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (got.size() < count) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("read " + got.size() + " of " + count + " records in 20 s");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    @Test
    @Timeout(120)
    void aMemberCutOffFromTheServerIsFencedAndItsLaterCommitIsRefused() throws Exception {
        Account account = support.newTenant("sdkg");
        support.createTopic(account, "jobs", 2);
        Set<TopicPartition> all = partitionsOf("jobs", 2);
        TopicPartition p0 = new TopicPartition("jobs", 0);
        for (int p = 0; p < 2; p++) {
            support.produceValues(account, "jobs", p, 5, SdkTestSupport.values("j", p, 0, 10));
        }
        Shared shared = new Shared();
        try (PausableTcpProxy proxy = new PausableTcpProxy(root.getPort());
                TributaryClient viaProxy = TributaryClient.connect(support.profile(account,
                        URI.create("https://localhost:" + proxy.port())));
                TributaryClient direct = TributaryClient.connect(support.profile(account))) {
            RecordingListener zombieEvents = new RecordingListener();
            try (Consumer<String, String> zombie = consumer(viaProxy, "workers", Map.of(ConsumerConfig.SESSION_TIMEOUT_MS, 2_000));
                    Consumer<String, String> offsets = consumer(direct, "workers", Map.of())) {
                offsets.assign(all); // reads the group's committed offsets without joining it
                zombie.subscribe(List.of("jobs"), zombieEvents);
                assertEquals(20, pollRecords(zombie, 20).size());
                assertEquals(all, zombie.assignment());

                // The network between the zombie and the server fails: no heartbeat, no commit gets through.
                proxy.pause();
                PollingConsumer healthy = new PollingConsumer("healthy", consumer(direct, "workers", Map.of()), List.of("jobs"),
                        shared, false);
                try {
                    awaitCondition(30_000, "the healthy member holding both partitions after the zombie's session expired",
                            () -> healthy.assignment().equals(all));
                    awaitCondition(30_000, "the healthy member read everything and committed",
                            () -> shared.reads.size() >= 20 && offsets.committed(p0).equals(OptionalLong.of(10)));

                    // The network recovers: the zombie's commit reaches the group, which no longer knows the member.
                    proxy.resume();
                    TributaryException refused = assertThrows(TributaryException.class, () -> zombie.commitSync(Map.of(p0, 3L)));
                    assertEquals("UNKNOWN_MEMBER_ID", refused.code(), refused.getMessage());
                    assertEquals(OptionalLong.of(10), offsets.committed(p0), "the healthy member's offset stays");

                    // Its next poll reports the partitions lost (not revoked: it could not commit) and joins again.
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!zombieEvents.events.contains("lost " + new java.util.TreeSet<>(all))) {
                        assertTrue(System.nanoTime() - deadline < 0, "no onPartitionsLost: " + zombieEvents.events);
                        zombie.poll(Duration.ofMillis(100));
                    }
                    assertFalse(zombieEvents.events.stream().anyMatch(e -> e.startsWith("revoked")), "" + zombieEvents.events);
                    awaitCondition(30_000, "the rejoined member and the healthy one splitting the partitions", () -> {
                        zombie.poll(Duration.ofMillis(50));
                        return zombie.assignment().size() == 1 && healthy.assignment().size() == 1
                                && !zombie.assignment().equals(healthy.assignment());
                    });
                } finally {
                    healthy.close();
                }
            }
        }
        assertEachOnce(shared.reads, concat(SdkTestSupport.values("j", 0, 0, 10), SdkTestSupport.values("j", 1, 0, 10)));
    }

    @Test
    @Timeout(120)
    void aMemberThatStopsPollingLeavesAndItsLaterCommitIsRefused() throws Exception {
        Account account = support.newTenant("sdkg");
        support.createTopic(account, "tasks", 2);
        Set<TopicPartition> all = partitionsOf("tasks", 2);
        for (int p = 0; p < 2; p++) {
            support.produceValues(account, "tasks", p, 5, SdkTestSupport.values("t", p, 0, 5));
        }
        Shared shared = new Shared();
        try (TributaryClient client = TributaryClient.connect(support.profile(account))) {
            RecordingListener slowEvents = new RecordingListener();
            try (Consumer<String, String> slow = consumer(client, "crunchers", Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS, 1_500))) {
                slow.subscribe(List.of("tasks"), slowEvents);
                assertEquals(10, pollRecords(slow, 10).size());
                assertEquals(all, slow.assignment());

                // The application stops polling (stuck processing): the heartbeat thread leaves for it.
                PollingConsumer other = new PollingConsumer("other", consumer(client, "crunchers", Map.of()), List.of("tasks"),
                        shared, false);
                try {
                    awaitCondition(30_000, "the other member holding both partitions", () -> other.assignment().equals(all));
                    TributaryException refused = assertThrows(TributaryException.class, slow::commitSync);
                    assertEquals("UNKNOWN_MEMBER_ID", refused.code(), refused.getMessage());
                    slow.poll(Duration.ofMillis(100));
                    assertTrue(slowEvents.events.contains("lost " + new java.util.TreeSet<>(all)), "" + slowEvents.events);
                } finally {
                    other.close();
                }
            }
        }
        assertEachOnce(shared.reads, concat(SdkTestSupport.values("t", 0, 0, 5), SdkTestSupport.values("t", 1, 0, 5)));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
