package dev.tributary.client.internal.consumer;

import com.google.common.util.concurrent.ListenableFuture;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.CommittedPartitionOffset;
import dev.tributary.api.v1.FetchOffsetsRequest;
import dev.tributary.api.v1.FetchOffsetsResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.ListOffsetsResponse;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.PartitionOffset;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The consumer's calls to the server, each a future that fails with a {@link TributaryException}
 * carrying the server's code. Reads (offsets, committed offsets) are retried here on retriable
 * failures until their deadline; commits are retried by the caller, which knows the membership.
 * Every call goes to the profile's endpoint: any node serves fetches, offsets and groups.
 */
final class ConsumerRpc {
    /** Upper bound of the backoff between retries, however often a call failed. */
    static final long MAX_BACKOFF_MS = 1_000;

    private final Connection connection;
    private final long retryBackoffMs;

    ConsumerRpc(Connection connection, long retryBackoffMs) {
        this.connection = connection;
        this.retryBackoffMs = retryBackoffMs;
    }

    /** Backoff before the {@code attempt}-th retry (1-based): retry.backoff.ms doubling, at most {@link #MAX_BACKOFF_MS}. */
    long backoffMs(int attempt) {
        long base = Math.max(1, retryBackoffMs);
        int shift = Math.min(Math.max(0, attempt - 1), 20);
        return Math.min(Math.max(retryBackoffMs, MAX_BACKOFF_MS), base << shift);
    }

    /**
     * How long to wait before retrying after {@code error}, the {@code attempt}-th failure in a row:
     * the backoff, or the delay the server asked for (a THROTTLED answer's RetryInfo) if longer.
     */
    long retryDelayMs(int attempt, TributaryException error) {
        long backoff = backoffMs(attempt);
        return error.retryAfter().map(d -> Math.max(backoff, d.toMillis())).orElse(backoff);
    }

    /**
     * One unary call with a deadline. The returned future is not connected to the call the other
     * way: the consumer never cancels calls, it drops answers it no longer needs.
     */
    <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request, long timeoutMs) {
        ClientCall<Q, R> call;
        try {
            call = connection.channel().newCall(method, CallOptions.DEFAULT.withCallCredentials(connection.callCredentials())
                    .withDeadlineAfter(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(Errors.translate(e));
        }
        ListenableFuture<R> pending = ClientCalls.futureUnaryCall(call, request);
        CompletableFuture<R> result = new CompletableFuture<>();
        pending.addListener(() -> {
            try {
                result.complete(pending.get());
            } catch (ExecutionException e) {
                result.completeExceptionally(Errors.translate(e.getCause()));
            } catch (CancellationException | InterruptedException e) {
                result.completeExceptionally(Errors.translate(e));
            }
        }, Runnable::run);
        return result;
    }

    /**
     * Runs {@code attempt} until it succeeds, fails with a non-retriable error, or {@code
     * deadlineNanos} passes (then the last error). An expired token is dropped before the retry, so
     * the next attempt fetches a fresh one.
     */
    <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<T>> attempt, long deadlineNanos) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(attempt, deadlineNanos, result, 1);
        return result;
    }

    private <T> void attempt(Supplier<CompletableFuture<T>> attempt, long deadlineNanos, CompletableFuture<T> result, int n) {
        if (result.isDone()) {
            return;
        }
        attempt.get().whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
                return;
            }
            TributaryException e = Errors.translate(failure);
            long backoffNanos = TimeUnit.MILLISECONDS.toNanos(retryDelayMs(n, e));
            if (!e.retriable() || System.nanoTime() + backoffNanos - deadlineNanos >= 0 || connection.isClosed()) {
                result.completeExceptionally(e);
                return;
            }
            dropTokenIfExpired(e);
            schedule(() -> attempt(attempt, deadlineNanos, result, n + 1), backoffNanos, result);
        });
    }

    /** After TOKEN_EXPIRED: forget the cached token, so that the retry fetches a fresh one. */
    void dropTokenIfExpired(TributaryException e) {
        if ("TOKEN_EXPIRED".equals(e.code())) {
            String stale = connection.tokens().token().getNow(null);
            if (stale != null) {
                connection.tokens().invalidate(stale);
            }
        }
    }

    /** Runs {@code task} after a delay on the connection's timer; fails {@code onRejected} if the client was closed. */
    void schedule(Runnable task, long delayNanos, CompletableFuture<?> onRejected) {
        try {
            connection.scheduler().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            onRejected.completeExceptionally(new TributaryException(TributaryException.CLOSED, "the client is closed"));
        }
    }

    /** A ListOffsets query: EARLIEST, LATEST, or TIMESTAMP with its timestamp. */
    record Query(OffsetSpec spec, long timestampMs) {}

    /** ListOffsets for partitions of one topic: partition -> the answer (offset; for timestamps, the end if none is that late). */
    CompletableFuture<Map<Integer, PartitionOffset>> listOffsets(String topic, Map<Integer, Query> queries, long timeoutMs,
            long deadlineNanos) {
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder().setTopic(topic);
        queries.forEach((p, q) -> request.addPartitions(PartitionOffsetQuery.newBuilder().setPartition(p).setSpec(q.spec())
                .setTimestampMs(q.timestampMs())));
        ListOffsetsRequest built = request.build();
        return retrying(() -> call(FetchServiceGrpc.getListOffsetsMethod(), built, timeoutMs), deadlineNanos)
                .thenApply(ConsumerRpc::byPartition);
    }

    /** The same spec for several partitions, possibly of several topics: one ListOffsets per topic, in parallel. */
    CompletableFuture<Map<TopicPartition, Long>> listOffsets(Collection<TopicPartition> partitions, OffsetSpec spec, long timeoutMs,
            long deadlineNanos) {
        Map<String, Map<Integer, Query>> byTopic = new HashMap<>();
        for (TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), new Query(spec, 0));
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        Map<TopicPartition, Long> result = new java.util.concurrent.ConcurrentHashMap<>();
        byTopic.forEach((topic, queries) -> calls.add(listOffsets(topic, queries, timeoutMs, deadlineNanos)
                .thenAccept(answer -> answer.forEach((p, o) -> result.put(new TopicPartition(topic, p), o.getOffset())))));
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> Map.copyOf(result));
    }

    private static Map<Integer, PartitionOffset> byPartition(ListOffsetsResponse response) {
        Map<Integer, PartitionOffset> out = new HashMap<>();
        for (PartitionOffset o : response.getPartitionsList()) {
            out.put(o.getPartition(), o);
        }
        return out;
    }

    /** The group's committed offsets of these topics; a group that does not exist yet has none. */
    CompletableFuture<Map<TopicPartition, Long>> committedOffsets(String groupId, Collection<String> topics, long timeoutMs,
            long deadlineNanos) {
        FetchOffsetsRequest request = FetchOffsetsRequest.newBuilder().setGroupId(groupId).addAllTopics(topics).build();
        return retrying(() -> call(GroupServiceGrpc.getFetchOffsetsMethod(), request, timeoutMs), deadlineNanos)
                .handle((FetchOffsetsResponse response, Throwable failure) -> {
                    if (failure != null) {
                        TributaryException e = Errors.translate(failure);
                        if ("UNKNOWN_GROUP".equals(e.code())) {
                            return Map.<TopicPartition, Long>of();
                        }
                        throw e;
                    }
                    Map<TopicPartition, Long> out = new HashMap<>();
                    for (CommittedPartitionOffset o : response.getOffsetsList()) {
                        if (!o.getTopic().isEmpty()) {
                            out.put(new TopicPartition(o.getTopic(), o.getPartition()), o.getOffset());
                        }
                    }
                    return out;
                });
    }

    /** One CommitOffsets call (no retry: whether to retry depends on the membership). */
    CompletableFuture<Void> commitOnce(String groupId, String memberId, int memberEpoch, Map<TopicPartition, Long> offsets,
            long timeoutMs) {
        CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(groupId).setMemberId(memberId)
                .setMemberEpoch(memberEpoch);
        offsets.forEach((tp, offset) -> request.addOffsets(OffsetToCommit.newBuilder().setTopic(tp.topic())
                .setPartition(tp.partition()).setOffset(offset)));
        return call(GroupServiceGrpc.getCommitOffsetsMethod(), request.build(), timeoutMs).thenApply(r -> null);
    }
}
