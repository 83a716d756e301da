package dev.tributary.ownership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.FetchResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three pods append to the partitions they believe they own while pods crash (stop heartbeating
 * but keep appending with the epochs they had: the worst zombie) and come back. Afterwards every
 * acknowledged append must be in the log exactly once at its offset, with dense offsets.
 */
class OwnershipStressTest {
    static final String TENANT = "stress";
    static final long LEASE = 1_000;
    static final int PARTITIONS = 6;

    @TempDir
    Path dir;

    record Ack(int partition, long offset, String value) {}

    /** A pod process: its ownership agent, whether it is alive, and what it believed when it crashed. */
    static final class Slot {
        final String id;
        volatile PodOwnership pod;
        volatile boolean alive;
        volatile Map<PartitionRef, Long> zombieEpochs = Map.of();

        Slot(String id) {
            this.id = id;
        }
    }

    @Test
    void acknowledgedAppendsSurviveOwnerChurnExactlyOnce() throws Exception {
        AtomicLong now = new AtomicLong(0);
        Queue<Ack> acks = new ConcurrentLinkedQueue<>();
        AtomicInteger fenced = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            TopicMetadata topic = new TopicStore(store).create(TENANT, "events", PARTITIONS, Map.of());
            PartitionLog log = new PartitionLog(store);
            List<Slot> slots = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Slot slot = new Slot("pod-" + i);
                long offset = i * 31_337L; // unsynchronized clocks
                slot.pod = new PodOwnership(store, slot.id, slot.id + ":9443", LEASE, 2, () -> now.get() + offset);
                slot.alive = true;
                slots.add(slot);
            }
            slots.get(0).pod.register();
            slots.get(0).pod.trackTopic(TENANT, topic.id());

            List<Thread> appenders = new ArrayList<>();
            for (Slot slot : slots) {
                Thread t = new Thread(() -> {
                    long seq = 0;
                    try {
                        while (!stop.get()) {
                            Map<PartitionRef, Long> epochs = slot.alive ? slot.pod.ownedPartitions() : slot.zombieEpochs;
                            if (epochs.isEmpty()) {
                                Thread.sleep(1);
                                continue;
                            }
                            for (Map.Entry<PartitionRef, Long> e : epochs.entrySet()) {
                                String value = slot.id + "-" + seq++;
                                byte[] batch = RecordBatch.builder()
                                        .append(now.get(), null, value.getBytes(StandardCharsets.UTF_8)).build();
                                int partition = e.getKey().partition();
                                try {
                                    long base = log.append(TENANT, topic.id(), partition, batch, e.getValue()).baseOffset();
                                    acks.add(new Ack(partition, base, value));
                                } catch (LogException le) {
                                    if (le.code() != LogErrorCode.FENCED_LEADER_EPOCH) {
                                        throw le;
                                    }
                                    fenced.incrementAndGet();
                                }
                            }
                        }
                    } catch (Throwable t2) {
                        failure.compareAndSet(null, t2);
                    }
                }, "appender-" + slot.id);
                t.start();
                appenders.add(t);
            }

            SplittableRandom random = new SplittableRandom(42);
            int crashes = 0;
            for (int step = 0; step < 240 && failure.get() == null; step++) {
                now.addAndGet(LEASE / 4);
                for (Slot slot : slots) {
                    if (slot.alive) {
                        try {
                            slot.pod.tick();
                        } catch (OwnershipException e) {
                            // a tick can lose a race with an expiry; the next tick registers again
                        }
                    }
                }
                assertNoDoubleBelief(slots);
                if (step % 15 == 14 && step < 200) {
                    Slot slot = slots.get(random.nextInt(slots.size()));
                    long alive = slots.stream().filter(s -> s.alive).count();
                    if (slot.alive && alive > 1) {
                        slot.zombieEpochs = slot.pod.ownedPartitions();
                        slot.alive = false;
                        crashes++;
                    } else if (!slot.alive) {
                        long offset = random.nextLong(1_000_000);
                        slot.pod = new PodOwnership(store, slot.id, slot.id + ":9443", LEASE, 2, () -> now.get() + offset);
                        slot.alive = true;
                    }
                }
                Thread.sleep(4);
            }
            stop.set(true);
            for (Thread t : appenders) {
                t.join(30_000);
            }
            assertNull(failure.get(), () -> "appender failed: " + failure.get());
            assertTrue(crashes >= 3, "crashes: " + crashes);
            assertTrue(fenced.get() > 0, "zombie appends must have been fenced");
            assertTrue(acks.size() > 50, "acknowledged appends: " + acks.size());

            Map<Integer, Map<Long, String>> logged = new HashMap<>();
            Set<String> values = new HashSet<>();
            int records = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                Map<Long, String> byOffset = new HashMap<>();
                long next = 0;
                long hwm = log.offsets(TENANT, topic.id(), p).highWatermark();
                while (next < hwm) {
                    FetchResult fetch = log.fetch(TENANT, topic.id(), p, next, 1 << 20);
                    for (byte[] bytes : fetch.batches()) {
                        RecordBatch batch = RecordBatch.parse(bytes);
                        assertEquals(next, batch.baseOffset(), "offsets are dense in partition " + p);
                        for (Record r : batch) {
                            String value = new String(r.value(), StandardCharsets.UTF_8);
                            assertTrue(values.add(value), "value " + value + " is in the log twice");
                            byOffset.put(r.offset(), value);
                            records++;
                        }
                        next = batch.lastOffset() + 1;
                    }
                }
                logged.put(p, byOffset);
            }
            for (Ack ack : acks) {
                assertEquals(ack.value(), logged.get(ack.partition()).get(ack.offset()),
                        "acknowledged " + ack + " must be in the log at its offset");
            }
            assertEquals(acks.size(), records, "nothing unacknowledged is in the log, and every ack exactly once");
        }
    }

    /** Live pods whose lease is valid never share a believed partition. */
    static void assertNoDoubleBelief(List<Slot> slots) {
        Map<PartitionRef, String> believers = new HashMap<>();
        for (Slot slot : slots) {
            for (PartitionRef ref : slot.pod.ownedPartitions().keySet()) {
                String other = believers.put(ref, slot.id);
                assertNull(other, ref + " believed owned by " + other + " and " + slot.id);
            }
        }
    }
}
