package dev.tributary.group;

import static dev.tributary.group.GroupTestSupport.assertNoPartitionHeldTwice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized membership churn with a controlled clock: joins, heartbeats, leaves, crashes (silent
 * members that expire), subscription changes and commits. After every step: no partition is held
 * by two members in storage, live clients' views are disjoint and equal to what storage says they
 * hold, and commits are accepted exactly when they should be.
 */
class GroupChurnTest {
    static final String TENANT = "churn";
    static final String GROUP = "g";
    static final int SESSION = 10_000;

    @TempDir
    Path dir;
    /** Steps at which some member was revoking partitions, and zombie commits refused: the test must reach both. */
    int revokingSteps;
    int zombieRejections;

    /** A simulated consumer: what it was last told. */
    static final class Client {
        String memberId;
        int epoch;
        Set<TopicPartition> held = new HashSet<>();
        List<String> topics;
        long lastHeartbeat;
    }

    @Test
    void randomizedChurnKeepsInvariants() {
        AtomicLong now = new AtomicLong(0);
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            TopicStore topicStore = new TopicStore(store);
            Map<String, TopicMetadata> topics = new HashMap<>();
            topics.put("a", topicStore.create(TENANT, "a", 7, Map.of()));
            topics.put("b", topicStore.create(TENANT, "b", 5, Map.of()));
            topics.put("c", topicStore.create(TENANT, "c", 3, Map.of()));
            GroupCoordinator groups = new GroupCoordinator(store, now::get, 3_000);
            SplittableRandom random = new SplittableRandom(7);
            List<Client> live = new ArrayList<>();
            List<Client> crashed = new ArrayList<>();
            List<String> names = List.of("a", "b", "c");

            for (int step = 0; step < 600; step++) {
                int action = random.nextInt(100);
                if (live.isEmpty() || (action < 12 && live.size() < 8)) {
                    Client c = new Client();
                    c.topics = randomTopics(random, names);
                    HeartbeatResponse r = groups.heartbeat(TENANT, GROUP, new HeartbeatRequest(null, 0, c.topics, null, SESSION));
                    apply(c, r, now.get());
                    live.add(c);
                } else if (action < 60) {
                    heartbeat(groups, live.get(random.nextInt(live.size())), now.get());
                } else if (action < 66) {
                    Client c = live.remove(random.nextInt(live.size()));
                    groups.leave(TENANT, GROUP, c.memberId, c.epoch);
                } else if (action < 71) {
                    crashed.add(live.remove(random.nextInt(live.size())));
                } else if (action < 83) {
                    // Time passes; live clients heartbeat in between (every 3 s), crashed ones do not.
                    long advance = random.nextLong(4_000);
                    for (Client c : live) {
                        heartbeat(groups, c, now.get());
                    }
                    now.addAndGet(advance);
                } else if (action < 88) {
                    Client c = live.get(random.nextInt(live.size()));
                    c.topics = randomTopics(random, names);
                    HeartbeatResponse r = groups.heartbeat(TENANT, GROUP,
                            new HeartbeatRequest(c.memberId, c.epoch, c.topics, c.held, 0));
                    apply(c, r, now.get());
                } else {
                    // Commits: a live member may commit what it holds; an expired one may not.
                    Client c = live.get(random.nextInt(live.size()));
                    if (!c.held.isEmpty()) {
                        TopicPartition tp = c.held.iterator().next();
                        groups.commitOffsets(TENANT, GROUP, c.memberId, c.epoch,
                                List.of(new OffsetCommit(nameOf(topics, tp), tp.partition(), 0, "")));
                    }
                    for (Client z : crashed) {
                        if (now.get() >= z.lastHeartbeat + SESSION && !z.held.isEmpty()) {
                            TopicPartition tp = z.held.iterator().next();
                            GroupErrorCode code = GroupTestSupport.code(() -> groups.commitOffsets(TENANT, GROUP, z.memberId,
                                    z.epoch, List.of(new OffsetCommit(nameOf(topics, tp), tp.partition(), 0, ""))));
                            assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code);
                            zombieRejections++;
                        }
                    }
                }
                checkInvariants(store, live);
                if (GroupTestSupport.storedMembers(store, TENANT, GROUP).stream().anyMatch(m -> !m.revoking().isEmpty())) {
                    revokingSteps++;
                }
            }
            assertTrue(revokingSteps > 20, "revocations exercised: " + revokingSteps);
            assertTrue(zombieRejections > 0, "zombie commits exercised: " + zombieRejections);

            // Settle: crashed members expire, everyone reconciles.
            for (int i = 0; i < 6; i++) {
                now.addAndGet(3_000);
                for (Client c : live) {
                    heartbeat(groups, c, now.get());
                }
                checkInvariants(store, live);
            }
            for (Client c : live) {
                heartbeat(groups, c, now.get());
            }
            GroupDescription d = groups.describe(TENANT, GROUP);
            assertEquals(GroupState.STABLE, d.state());
            assertEquals(live.size(), d.members().size());
            for (String name : names) {
                List<Client> subscribers = live.stream().filter(c -> c.topics.contains(name)).toList();
                if (subscribers.isEmpty()) {
                    continue;
                }
                TopicMetadata topic = topics.get(name);
                Set<TopicPartition> covered = new HashSet<>();
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (Client c : subscribers) {
                    int n = 0;
                    for (TopicPartition tp : c.held) {
                        if (tp.topicId().equals(topic.id())) {
                            covered.add(tp);
                            n++;
                        }
                    }
                    min = Math.min(min, n);
                    max = Math.max(max, n);
                }
                assertEquals(topic.partitions(), covered.size(), "every partition of " + name + " is assigned");
                assertTrue(max - min <= 1, "balanced: " + min + ".." + max + " for " + name);
            }
        }
    }

    static String nameOf(Map<String, TopicMetadata> topics, TopicPartition tp) {
        return topics.values().stream().filter(t -> t.id().equals(tp.topicId())).findFirst().orElseThrow().name();
    }

    static List<String> randomTopics(SplittableRandom random, List<String> names) {
        List<String> chosen = new ArrayList<>();
        for (String n : names) {
            if (random.nextInt(3) > 0) {
                chosen.add(n);
            }
        }
        return chosen.isEmpty() ? List.of(names.get(random.nextInt(names.size()))) : chosen;
    }

    static void heartbeat(GroupCoordinator groups, Client c, long now) {
        apply(c, groups.heartbeat(TENANT, GROUP, HeartbeatRequest.of(c.memberId, c.epoch, c.held)), now);
    }

    static void apply(Client c, HeartbeatResponse r, long now) {
        c.memberId = r.memberId();
        c.epoch = r.memberEpoch();
        c.held = r.partitions(); // the client drops what is no longer listed at once
        c.lastHeartbeat = now;
    }

    void checkInvariants(EmbeddedStore store, List<Client> live) {
        assertNoPartitionHeldTwice(store, TENANT, GROUP);
        Map<String, MemberState> stored = new HashMap<>();
        GroupTestSupport.storedMembers(store, TENANT, GROUP).forEach(m -> stored.put(m.memberId(), m));
        Map<TopicPartition, String> holders = new HashMap<>();
        for (Client c : live) {
            MemberState m = stored.get(c.memberId);
            assertEquals(m.assigned(), new java.util.TreeSet<>(c.held), "client view = stored assignment");
            assertEquals(m.memberEpoch(), c.epoch);
            for (TopicPartition tp : c.held) {
                assertNull(holders.put(tp, c.memberId), tp + " consumed by two live clients");
            }
        }
    }

    @Test
    void concurrentHeartbeatsFromManyPodsConverge() throws Exception {
        AtomicLong now = new AtomicLong(0);
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            TopicMetadata topic = new TopicStore(store).create(TENANT, "t", 24, Map.of());
            GroupCoordinator groups = new GroupCoordinator(store, now::get, 3_000);
            int members = 6;
            ExecutorService pool = Executors.newFixedThreadPool(members);
            try {
                List<Future<Client>> futures = new ArrayList<>();
                for (int i = 0; i < members; i++) {
                    futures.add(pool.submit(() -> {
                        Client c = new Client();
                        c.topics = List.of("t");
                        apply(c, groups.heartbeat(TENANT, GROUP, new HeartbeatRequest(null, 0, c.topics, null, SESSION)), 0);
                        for (int round = 0; round < 40; round++) {
                            heartbeat(groups, c, 0);
                            assertNoPartitionHeldTwice(store, TENANT, GROUP);
                        }
                        return c;
                    }));
                }
                List<Client> clients = new ArrayList<>();
                for (Future<Client> f : futures) {
                    clients.add(f.get());
                }
                for (int round = 0; round < 3; round++) {
                    for (Client c : clients) {
                        heartbeat(groups, c, 0);
                    }
                }
                checkInvariants(store, clients);
                Set<TopicPartition> all = new HashSet<>();
                for (Client c : clients) {
                    assertEquals(4, c.held.size());
                    all.addAll(c.held);
                }
                assertEquals(24, all.size());
                assertEquals(topic.id(), all.iterator().next().topicId());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
