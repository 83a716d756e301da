package dev.tributary.dataplane.produce;

import dev.tributary.dataplane.PartitionRef;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.log.AppendResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gathers concurrent produce requests for one partition into one storage transaction.
 *
 * <p>Dense offsets make every append to a partition read and write its tail, so two transactions
 * appending to one partition conflict and one partition could take only one batch per commit
 * (fsync). Here each partition has a queue and at most one append in flight: while it commits,
 * new requests queue up, and the next transaction appends all of them consecutively with {@link
 * PartitionLog#appendAll} (up to {@link PartitionLog#MAX_APPEND_ALL_BYTES}). Each request gets
 * its own offsets back. Under load a partition's throughput grows with the number of concurrent
 * producers instead of staying at one batch per fsync; alone, a request waits for no one.
 *
 * <p>A request's batches stay together and in order. If a combined append fails for a reason
 * that may concern one request only (one batch too large after a config change, ...), each request
 * of the group is appended on its own, so that each gets its own precise answer.
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
    private final ConcurrentHashMap<PartitionRef, PartitionQueue> queues = new ConcurrentHashMap<>();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder batches = new LongAdder();

    public AppendCoalescer(PartitionLog log, StorageExecutor executor, LocalPod pod) {
        this.log = log;
        this.executor = executor;
        this.pod = pod;
    }

    /**
     * Queues the batches of one request for a partition (already validated by the caller, see
     * {@link PartitionLog#parseProduced}); completes with one result per batch once committed.
     */
    public CompletableFuture<List<AppendResult>> append(PartitionRef partition, List<byte[]> requestBatches) {
        PendingAppend pending = new PendingAppend(List.copyOf(requestBatches), new CompletableFuture<>());
        PartitionQueue queue = queues.computeIfAbsent(partition, PartitionQueue::new);
        queue.pending.add(pending);
        queue.scheduleDrain();
        return pending.result;
    }

    /** Storage transactions the coalescer committed (or tried) so far. */
    public long transactions() {
        return transactions.sum();
    }

    /** Batches appended through it so far. */
    public long batches() {
        return batches.sum();
    }

    private record PendingAppend(List<byte[]> batches, CompletableFuture<List<AppendResult>> result) {
        long bytes() {
            long n = 0;
            for (byte[] b : batches) {
                n += b.length;
            }
            return n;
        }
    }

    private final class PartitionQueue {
        final PartitionRef partition;
        final dev.tributary.ownership.PartitionRef owned;
        final Queue<PendingAppend> pending = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();

        PartitionQueue(PartitionRef partition) {
            this.partition = partition;
            this.owned = new dev.tributary.ownership.PartitionRef(partition.tenant(), partition.topicId(), partition.partition());
        }

        void scheduleDrain() {
            if (!pending.isEmpty() && draining.compareAndSet(false, true)) {
                executor.execute(this::drainOnce);
            }
        }

        /**
         * One transaction's worth, then back to the executor's queue: partitions take turns on the
         * storage threads instead of one busy partition holding a thread.
         */
        private void drainOnce() {
            try {
                List<PendingAppend> group = takeGroup();
                if (!group.isEmpty()) {
                    commit(group);
                }
            } finally {
                draining.set(false);
                scheduleDrain(); // requests that arrived during the commit (or raced with the flag)
            }
        }

        private List<PendingAppend> takeGroup() {
            List<PendingAppend> group = new ArrayList<>();
            long bytes = 0;
            PendingAppend next;
            while ((next = pending.peek()) != null) {
                long size = next.bytes();
                if (!group.isEmpty() && bytes + size > PartitionLog.MAX_APPEND_ALL_BYTES) {
                    break;
                }
                pending.poll();
                group.add(next);
                bytes += size;
            }
            return group;
        }

        private void commit(List<PendingAppend> group) {
            List<byte[]> all = new ArrayList<>();
            for (PendingAppend p : group) {
                all.addAll(p.batches());
            }
            List<AppendResult> results;
            try {
                results = appendWithCurrentEpoch(all);
            } catch (RuntimeException e) {
                LogException le = LogException.unwrap(e);
                if (group.size() > 1 && le != null) {
                    // Find out whose batch it was: each request on its own.
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

        private List<AppendResult> appendWithCurrentEpoch(List<byte[]> all) {
            // Asked per transaction, not cached: the pod's belief ends with its lease or a release.
            long epoch = pod.appendEpoch(owned);
            try {
                return appendAll(all, epoch);
            } catch (LogException e) {
                if (e.code() != LogErrorCode.FENCED_LEADER_EPOCH && e.code() != LogErrorCode.UNKNOWN_LEADER_EPOCH) {
                    throw e;
                }
                // Throws NOT_OWNER if another pod owns the partition now; otherwise the epoch under
                // which this pod holds it according to storage, good for exactly one more try.
                return appendAll(all, pod.recheck(owned));
            }
        }

        private List<AppendResult> appendAll(List<byte[]> all, long epoch) {
            transactions.increment();
            List<AppendResult> results = log.appendAll(partition.tenant(), partition.topicId(), partition.partition(), all, epoch);
            batches.add(all.size());
            return results;
        }
    }
}
