package dev.tributary.server.sdk;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.ConsumerRecords;
import dev.tributary.client.consumer.RebalanceListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one SDK consumer on its own thread, the way an application does (a consumer belongs to one
 * thread): subscribes, polls, "processes" each record by recording it, commits after processing,
 * and records every rebalance callback in a timeline shared by the members of a test. With
 * {@code commitOnRevoke} the listener commits the positions of revoked partitions, so that the
 * next member starts exactly where this one stopped.
 */
final class PollingConsumer implements AutoCloseable {
    /** A record as one member read it. */
    record Read(String member, TopicPartition partition, long offset, String value) {}

    /** A rebalance callback as one member saw it; {@code seq} orders events of all members. */
    record Event(long seq, String member, String kind, List<TopicPartition> partitions) {}

    /** What the members of one test share. */
    static final class Shared {
        final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
        final AtomicLong sequence = new AtomicLong();

        List<Read> readsOf(String member) {
            return reads.stream().filter(r -> r.member().equals(member)).toList();
        }
    }

    final String name;
    private final Consumer<String, String> consumer;
    private final Shared shared;
    private final boolean commitOnRevoke;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile Throwable failure;

    PollingConsumer(String name, Consumer<String, String> consumer, Collection<String> topics, Shared shared, boolean commitOnRevoke) {
        this.name = name;
        this.consumer = consumer;
        this.shared = shared;
        this.commitOnRevoke = commitOnRevoke;
        this.thread = new Thread(() -> run(topics), "test-consumer-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run(Collection<String> topics) {
        try {
            consumer.subscribe(topics, new RebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    event("revoked", partitions);
                    if (commitOnRevoke) {
                        consumer.commitSync();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    event("assigned", partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    event("lost", partitions);
                }
            });
            while (!stopping) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    shared.reads.add(new Read(name, r.topicPartition(), r.offset(), r.value()));
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                assignment = consumer.assignment();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                consumer.close();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            }
            assignment = Set.of();
        }
    }

    private void event(String kind, Collection<TopicPartition> partitions) {
        shared.events.add(new Event(shared.sequence.incrementAndGet(), name, kind, new ArrayList<>(partitions)));
    }

    /** The partitions it held after its last poll (empty once closed). */
    Set<TopicPartition> assignment() {
        return assignment;
    }

    Throwable failure() {
        return failure;
    }

    /** Stops polling, closes the consumer (commit-on-revoke, then LeaveGroup) and waits for that. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
            throw new AssertionError("consumer " + name + " did not stop within 30 s");
        }
        if (failure != null) {
            throw new AssertionError("consumer " + name + " failed", failure);
        }
    }
}
