package dev.tributary.dataplane.produce;

import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.log.AppendResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.ProducedBatch;
import dev.tributary.ownership.OwnershipErrorCode;
import dev.tributary.ownership.OwnershipException;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.topic.TopicId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Appends the produce requests for one partition in the order they arrived, gathering those that
 * wait into one storage transaction.
 *
 * <p><b>Order.</b> A request takes its place in each of its partitions' queues with {@link
 * #reserve} when it arrives, before anything about it is checked (the topic lookup and the
 * validation of its batches run afterwards, on the storage threads, in parallel with other
 * requests). Once validated it {@link Reservation#fill fills} its places; a request that fails
 * validation {@link Reservation#cancel cancels} them and writes nothing. A partition's queue is
 * appended strictly from its head: a filled place waits for every place before it to be filled and
 * appended, or cancelled. So requests for one partition are appended in the order they reserved,
 * however long each one's validation takes, and a refused request never holds up the ones behind
 * it. Queues are keyed by tenant, topic name and partition, since places are taken before the name
 * is resolved; a place names its topic id when filled, and one transaction only takes places of
 * one topic id (a topic deleted and created again under the same name gets a new id).
 *
 * <p><b>Coalescing.</b> Dense offsets make every append to a partition read and write its tail, so
 * two transactions appending to one partition conflict and one partition could take only one batch
 * per commit (fsync). Here each partition has at most one append in flight: while it commits, new
 * requests queue up, and the next transaction appends all the filled places at the head of the
 * queue consecutively with {@link PartitionLog#appendValidated} (up to {@link
 * PartitionLog#MAX_APPEND_ALL_BYTES}). Each request gets its own offsets back. Under load a
 * partition's throughput grows with the number of concurrent producers instead of staying at one
 * batch per fsync; alone, a request waits for no one. Batches arrive here validated, as {@link
 * ProducedBatch}es: stored bytes and header fields, no decompressed records.
 *
 * <p>A request's batches stay together and in order. If a combined append fails for a reason
 * that may concern one request only (one batch too large after a config change, ...), each request
 * of the group is appended on its own, in queue order, so that each gets its own precise answer.
 *
 * <p>Leader epoch: every append carries this pod's lease epoch for the partition ({@link
 * LocalPod#appendEpoch}), acquiring the partition first if it is free; if another pod owns it the
 * requests fail with NOT_OWNER and nothing is written. FENCED_LEADER_EPOCH means another pod took
 * the partition over: the epoch is never simply re-read (that would append over the new owner's
 * fence). Ownership is checked again in storage, and the append retried once only if this pod
 * still owns the partition (or it was free and this pod took it).
 */
public final class AppendCoalescer {
    private final PartitionLog log;
    private final StorageExecutor executor;
    private final LocalPod pod;
    private final ConcurrentHashMap<QueueKey, PartitionQueue> queues = new ConcurrentHashMap<>();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder batches = new LongAdder();

    public AppendCoalescer(PartitionLog log, StorageExecutor executor, LocalPod pod) {
        this.log = log;
        this.executor = executor;
        this.pod = pod;
    }

    /**
     * Takes the next place in the partition's append order, on the calling thread: calls made one
     * after the other get places in that order. Every reservation must end with exactly one of
     * {@link Reservation#fill} or {@link Reservation#cancel}; until then, later places of the
     * partition wait for it.
     *
     * @param topic the topic's name, as the request gave it (not yet resolved or even checked)
     */
    public Reservation reserve(String tenant, String topic, int partition) {
        QueueKey key = new QueueKey(tenant, topic, partition);
        while (true) {
            PartitionQueue queue = queues.computeIfAbsent(key, PartitionQueue::new);
            synchronized (queue) {
                if (!queue.retired) {
                    Reservation reservation = new Reservation(queue);
                    queue.places.addLast(reservation);
                    return reservation;
                }
            }
            // Retired (emptied and removed) between the lookup and the lock: the next lookup makes a new one.
        }
    }

    /** Storage transactions the coalescer committed (or tried) so far. */
    public long transactions() {
        return transactions.sum();
    }

    /** Batches appended through it so far. */
    public long batches() {
        return batches.sum();
    }

    /** Partitions with places taken and not yet appended or cancelled (queues are dropped once empty). */
    public int activeQueues() {
        return queues.size();
    }

    /** A request's place in one partition's append order. */
    public static final class Reservation {
        private final PartitionQueue queue;
        // Guarded by queue.
        private PendingAppend pending;
        private boolean cancelled;

        private Reservation(PartitionQueue queue) {
            this.queue = queue;
        }

        /**
         * Hands over the request's validated batches for the partition; they are appended once
         * every earlier place of the partition was appended or cancelled. Completes with one result
         * per batch once committed.
         *
         * @param topicId the id the request's topic name resolved to
         * @throws IllegalStateException if the place was filled or cancelled already
         */
        public CompletableFuture<List<AppendResult>> fill(TopicId topicId, List<ProducedBatch> requestBatches) {
            if (requestBatches.isEmpty()) {
                throw new IllegalArgumentException("no batches to append");
            }
            PendingAppend append = new PendingAppend(topicId, List.copyOf(requestBatches), new CompletableFuture<>());
            synchronized (queue) {
                if (pending != null || cancelled) {
                    throw new IllegalStateException("this place was " + (cancelled ? "cancelled" : "filled") + " already");
                }
                pending = append;
            }
            queue.advance();
            return append.result();
        }

        /** Gives the place up: nothing is appended for it, later places no longer wait for it. No effect once filled. */
        public void cancel() {
            synchronized (queue) {
                if (pending != null || cancelled) {
                    return;
                }
                cancelled = true;
            }
            queue.advance();
        }
    }

    private record QueueKey(String tenant, String topic, int partition) {}

    private record PendingAppend(TopicId topicId, List<ProducedBatch> batches, CompletableFuture<List<AppendResult>> result) {
        long bytes() {
            long n = 0;
            for (ProducedBatch b : batches) {
                n += b.sizeInBytes();
            }
            return n;
        }
    }

    private final class PartitionQueue {
        final QueueKey key;
        // Guarded by this.
        final ArrayDeque<Reservation> places = new ArrayDeque<>();
        boolean draining;
        boolean retired;

        PartitionQueue(QueueKey key) {
            this.key = key;
        }

        /**
         * After a place was filled or cancelled, or an append ended: starts the next append if the
         * head of the queue is filled and none runs; drops the queue once it is empty and idle.
         */
        void advance() {
            synchronized (this) {
                while (!places.isEmpty() && places.peekFirst().cancelled) {
                    places.pollFirst();
                }
                if (draining) {
                    return; // the running append calls this again when it ends
                }
                Reservation head = places.peekFirst();
                if (head == null) {
                    retired = true;
                    queues.remove(key, this);
                    return;
                }
                if (head.pending == null) {
                    return; // the head's request is still being validated: everything behind it waits
                }
                draining = true;
            }
            try {
                executor.execute(this::drainOnce);
            } catch (RejectedExecutionException e) {
                failFilled();
            }
        }

        /** The storage threads are gone (the data plane closed): fails the filled places rather than leave them hanging. */
        private void failFilled() {
            List<PendingAppend> failed = new ArrayList<>();
            synchronized (this) {
                for (Iterator<Reservation> it = places.iterator(); it.hasNext();) {
                    Reservation r = it.next();
                    if (r.pending != null) {
                        failed.add(r.pending);
                        it.remove();
                    }
                }
                draining = false;
            }
            // As LocalPod answers once stopped: UNAVAILABLE, POD_NOT_REGISTERED (retry, elsewhere).
            for (PendingAppend p : failed) {
                p.result().completeExceptionally(DataPlaneErrors.ownership(new OwnershipException(OwnershipErrorCode.POD_NOT_REGISTERED,
                        "this node is shutting down"), new PartitionRef(key.tenant(), p.topicId(), key.partition())));
            }
        }

        /**
         * One transaction's worth, then back to the executor's queue: partitions take turns on the
         * storage threads instead of one busy partition holding a thread.
         */
        private void drainOnce() {
            List<PendingAppend> group = List.of();
            try {
                synchronized (this) {
                    group = takeGroup();
                }
                if (!group.isEmpty()) {
                    commit(group);
                }
            } catch (Error e) {
                // Out of memory, say: the requests get an answer (INTERNAL) rather than none.
                for (PendingAppend p : group) {
                    p.result().completeExceptionally(e);
                }
                throw e;
            } finally {
                synchronized (this) {
                    draining = false;
                }
                advance(); // places filled during the commit, or a queue now empty
            }
        }

        /** The filled places at the head, up to the first unfilled one, one topic id, and the byte bound. */
        private List<PendingAppend> takeGroup() {
            List<PendingAppend> group = new ArrayList<>();
            long bytes = 0;
            Reservation next;
            while ((next = places.peekFirst()) != null) {
                if (next.cancelled) {
                    places.pollFirst();
                    continue;
                }
                PendingAppend append = next.pending;
                if (append == null) {
                    break;
                }
                long size = append.bytes();
                if (!group.isEmpty() && (bytes + size > PartitionLog.MAX_APPEND_ALL_BYTES
                        || !append.topicId().equals(group.get(0).topicId()))) {
                    break;
                }
                places.pollFirst();
                group.add(append);
                bytes += size;
            }
            return group;
        }

        private void commit(List<PendingAppend> group) {
            List<ProducedBatch> all = new ArrayList<>();
            for (PendingAppend p : group) {
                all.addAll(p.batches());
            }
            TopicId topicId = group.get(0).topicId();
            List<AppendResult> results;
            try {
                results = appendWithCurrentEpoch(topicId, all);
            } catch (RuntimeException e) {
                LogException le = LogException.unwrap(e);
                if (group.size() > 1 && le != null) {
                    // Find out whose batch it was: each request on its own, in queue order.
                    for (PendingAppend p : group) {
                        commit(List.of(p));
                    }
                } else {
                    group.forEach(p -> p.result().completeExceptionally(e));
                }
                return;
            }
            int i = 0;
            for (PendingAppend p : group) {
                int n = p.batches().size();
                p.result().complete(List.copyOf(results.subList(i, i + n)));
                i += n;
            }
        }

        private List<AppendResult> appendWithCurrentEpoch(TopicId topicId, List<ProducedBatch> all) {
            PartitionRef owned = new PartitionRef(key.tenant(), topicId, key.partition());
            // Asked per transaction, not cached: the pod's belief ends with its lease or a release.
            long epoch = pod.appendEpoch(owned);
            try {
                return appendAll(topicId, all, epoch);
            } catch (LogException e) {
                if (e.code() != LogErrorCode.FENCED_LEADER_EPOCH && e.code() != LogErrorCode.UNKNOWN_LEADER_EPOCH) {
                    throw e;
                }
                // Throws NOT_OWNER if another pod owns the partition now; otherwise the epoch under
                // which this pod holds it according to storage, good for exactly one more try.
                return appendAll(topicId, all, pod.recheck(owned));
            }
        }

        private List<AppendResult> appendAll(TopicId topicId, List<ProducedBatch> all, long epoch) {
            transactions.increment();
            List<AppendResult> results = log.appendValidated(key.tenant(), topicId, key.partition(), all, epoch);
            batches.add(all.size());
            return results;
        }
    }
}
