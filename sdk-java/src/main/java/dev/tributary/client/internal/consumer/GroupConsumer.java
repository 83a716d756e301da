package dev.tributary.client.internal.consumer;

import com.google.protobuf.ByteString;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionOffset;
import dev.tributary.client.Header;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerConfig.OffsetReset;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.ConsumerRecords;
import dev.tributary.client.consumer.RebalanceListener;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import dev.tributary.client.internal.consumer.GroupMembership.Identity;
import dev.tributary.client.internal.consumer.GroupMembership.View;
import dev.tributary.client.internal.consumer.PartitionState.Pending;
import dev.tributary.client.serde.Deserializer;
import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The SDK's {@link Consumer}: group membership with server-side assignment ({@link
 * GroupMembership}, heartbeats on a background thread), or manually assigned partitions; fetching
 * with long-poll, positions, seeks and commits on the application thread.
 *
 * <p><b>Threads.</b> Everything except {@link #wakeup()} runs on the thread that calls the
 * consumer, one at a time (a second thread gets a ConcurrentModificationException, as in Kafka).
 * Calls to the server are asynchronous futures; their completions only queue a result and signal
 * the application thread, which applies every result itself, so the consumer's state needs no
 * locks. The heartbeat thread touches only the membership.
 *
 * <p><b>Fetching.</b> A partition is fetched when its position is known, it has no fetched records
 * waiting and no fetch in flight: one Fetch call per topic for all such partitions, long-polling up
 * to fetch.max.wait.ms. Fetches for the partitions just drained are sent before poll returns, so
 * the next batch arrives while the application processes this one. Memory is therefore bounded
 * by about one fetch response per partition (max.partition.fetch.bytes each, fetch.max.bytes per
 * call). An answer counts only if the partition is still assigned and still at the offset fetched
 * (a seek in between discards it).
 *
 * <p><b>Positions.</b> A partition without a position gets the group's committed offset, else
 * auto.offset.reset; seekToBeginning/End/Timestamp are resolved with ListOffsets at the next poll
 * (or position()). A fetch refused with OFFSET_OUT_OF_RANGE makes the consumer read the valid
 * range of those partitions and reset the ones outside it per auto.offset.reset ({@code none}:
 * poll throws OFFSET_OUT_OF_RANGE until the application seeks).
 *
 * <p><b>Commits</b> need group membership: the group accepts offsets only from a member, fenced
 * by its epoch, for partitions it holds. With {@link #assign} there is no member, so commits fail
 * at once (IllegalStateException); {@link #committed} and the starting positions still read the
 * group's committed offsets when group.id is set. Commits are sent one after another in the order
 * they were made, so an older commit never overwrites a newer one; STALE_MEMBER_EPOCH (a
 * heartbeat raised the epoch meanwhile) is retried with the new epoch.
 */
public final class GroupConsumer<K, V> implements Consumer<K, V> {
    private static final System.Logger LOG = System.getLogger(GroupConsumer.class.getName());
    private static final RebalanceListener NO_LISTENER = new RebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };

    private final Connection connection;
    private final ConsumerConfig config;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final ConsumerRpc rpc;
    private final String groupId;
    private final OffsetReset resetPolicy;
    private final Signal signal = new Signal();
    private final AtomicBoolean wakeupRequested = new AtomicBoolean();
    private final AtomicLong ownerThread = new AtomicLong(-1);
    private int ownerDepth;

    // Application-thread state.
    /** The partitions read, in the order poll serves them (rotated so that none starves). */
    private final LinkedHashMap<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
    private final List<OffsetLookup> lookupsInFlight = new ArrayList<>();
    private Set<String> subscription = Set.of();
    private boolean manualAssignment;
    private RebalanceListener listener = NO_LISTENER;
    private GroupMembership membership;
    private CompletableFuture<Void> lastCommit = CompletableFuture.completedFuture(null);
    private long nextAutoCommitNanos;
    private boolean closed;

    // Written by call completions, read by the application thread.
    private final ConcurrentLinkedQueue<InFlightFetch> completedFetches = new ConcurrentLinkedQueue<>();
    /** What this consumer last committed per partition, so that auto-commit skips partitions that did not move. */
    private final Map<TopicPartition, Long> lastCommitted = new ConcurrentHashMap<>();

    public GroupConsumer(Connection connection, ConsumerConfig config, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.config = Objects.requireNonNull(config, "config");
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        this.rpc = new ConsumerRpc(connection, config.retryBackoffMs());
        this.groupId = config.groupId();
        this.resetPolicy = config.autoOffsetReset();
    }

    // ================================================================ subscription and assignment

    @Override
    public void subscribe(Collection<String> topics) {
        subscribe(topics, NO_LISTENER);
    }

    @Override
    public void subscribe(Collection<String> topics, RebalanceListener rebalanceListener) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(rebalanceListener, "listener");
        acquire();
        try {
            ensureOpen();
            if (groupId == null) {
                throw new TributaryException(TributaryException.INVALID_CONFIG, "subscribe needs a consumer group: set "
                        + ConsumerConfig.GROUP_ID);
            }
            TreeSet<String> sorted = new TreeSet<>();
            for (String t : topics) {
                if (t == null || t.isBlank()) {
                    throw new IllegalArgumentException("topic names must not be null or blank: " + topics);
                }
                sorted.add(t);
            }
            if (sorted.isEmpty()) {
                unsubscribe();
                return;
            }
            if (manualAssignment) {
                dropAllPartitions();
                manualAssignment = false;
            }
            listener = rebalanceListener;
            subscription = Set.copyOf(sorted);
            if (membership == null) {
                membership = new GroupMembership(connection, rpc, groupId, List.copyOf(sorted), config.sessionTimeoutMs(),
                        config.requestTimeoutMs(), config.maxPollIntervalMs(), config.clientId(), signal::signal);
                nextAutoCommitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
            } else {
                membership.subscribe(List.copyOf(sorted));
            }
        } finally {
            release();
        }
    }

    @Override
    public void assign(Collection<TopicPartition> assigned) {
        Objects.requireNonNull(assigned, "partitions");
        acquire();
        try {
            ensureOpen();
            Set<TopicPartition> wanted = new HashSet<>();
            for (TopicPartition tp : assigned) {
                wanted.add(Objects.requireNonNull(tp, "partition"));
            }
            if (membership != null) {
                leaveGroup(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()), true);
            }
            subscription = Set.of();
            listener = NO_LISTENER;
            for (Iterator<PartitionState> it = partitions.values().iterator(); it.hasNext(); ) {
                PartitionState state = it.next();
                if (!wanted.contains(state.partition)) {
                    abandonCalls(state);
                    it.remove();
                }
            }
            for (TopicPartition tp : new TreeSet<>(wanted)) {
                partitions.computeIfAbsent(tp, p -> new PartitionState(p, null, initialPending()));
            }
            manualAssignment = !wanted.isEmpty();
        } finally {
            release();
        }
    }

    @Override
    public void unsubscribe() {
        acquire();
        try {
            ensureOpen();
            if (membership != null) {
                leaveGroup(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()), true);
            }
            dropAllPartitions();
            subscription = Set.of();
            manualAssignment = false;
            listener = NO_LISTENER;
        } finally {
            release();
        }
    }

    @Override
    public Set<TopicPartition> assignment() {
        acquire();
        try {
            return Set.copyOf(partitions.keySet());
        } finally {
            release();
        }
    }

    @Override
    public Set<String> subscription() {
        acquire();
        try {
            return subscription;
        } finally {
            release();
        }
    }

    // ================================================================ poll

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        acquire();
        try {
            ensureOpen();
            if (membership == null && !manualAssignment) {
                throw new IllegalStateException("the consumer is neither subscribed to topics nor assigned partitions");
            }
            long deadline = deadlineAfter(timeout.toNanos());
            while (true) {
                long seen = signal.version();
                ensureOpen(); // a listener may have closed the consumer
                if (membership != null) {
                    membership.polled(); // waiting inside poll counts as polling (max.poll.interval.ms)
                }
                checkWakeup(true);
                reconcileMembership();
                maybeAutoCommit();
                processCompletedLookups();
                processCompletedFetches();
                throwIfPositionFailed();
                sendLookups();
                ConsumerRecords<K, V> records = drain();
                sendFetches();
                if (!records.isEmpty()) {
                    return records;
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    return ConsumerRecords.empty();
                }
                await(seen, Math.min(deadline, nextTimedEvent(now)), true);
            }
        } finally {
            release();
        }
    }

    /** The earliest moment something is due without any signal: a backoff ending, the next auto-commit. */
    private long nextTimedEvent(long now) {
        long next = now + TimeUnit.SECONDS.toNanos(60);
        for (PartitionState s : partitions.values()) {
            if (s.retryAtNanos - now > 0 && s.retryAtNanos - next < 0) {
                next = s.retryAtNanos;
            }
        }
        if (membership != null) {
            if (config.enableAutoCommit() && nextAutoCommitNanos - next < 0) {
                next = nextAutoCommitNanos;
            }
            long stillPolling = now + TimeUnit.MILLISECONDS.toNanos(Math.max(1, config.maxPollIntervalMs() / 4));
            if (stillPolling - next < 0) {
                next = stillPolling;
            }
        }
        return next;
    }

    // ---------------------------------------------------------------- rebalance

    /**
     * Applies the group's latest answer: handles a lost membership (onPartitionsLost, then join
     * again), revocations (auto-commit, onPartitionsRevoked, then report them released) and new
     * partitions (onPartitionsAssigned; positions from committed offsets or auto.offset.reset).
     * A listener's exception is thrown after the reconciliation completed.
     */
    private void reconcileMembership() {
        GroupMembership m = membership;
        if (m == null) {
            return;
        }
        TributaryException failure = m.takeFailure();
        if (failure != null) {
            throw failure;
        }
        View view = m.view();
        RuntimeException listenerFailure = null;
        if (view.state() == GroupMembership.State.FENCED) {
            List<TopicPartition> lost = new ArrayList<>(new TreeSet<>(partitions.keySet()));
            LOG.log(System.Logger.Level.INFO, "Consumer of group ''{0}'' lost its membership ({1}); partitions lost: {2}",
                    groupId, view.fencedBy() == null ? "" : view.fencedBy().getMessage(), lost);
            try {
                if (!lost.isEmpty()) {
                    listener.onPartitionsLost(lost);
                }
            } catch (RuntimeException e) {
                listenerFailure = e;
            } finally {
                dropAllPartitions();
                m.rejoin();
            }
            if (listenerFailure != null) {
                throw listenerFailure;
            }
            return;
        }
        if (view.state() != GroupMembership.State.STABLE) {
            return;
        }
        Map<TopicPartition, String> target = view.assignment();
        List<TopicPartition> revoked = new ArrayList<>();
        for (PartitionState s : partitions.values()) {
            if (!s.topicId.equals(target.get(s.partition))) {
                revoked.add(s.partition);
            }
        }
        List<TopicPartition> added = new ArrayList<>();
        for (Map.Entry<TopicPartition, String> e : target.entrySet()) {
            if (!partitions.containsKey(e.getKey()) || revoked.contains(e.getKey())) {
                added.add(e.getKey());
            }
        }
        revoked.sort(null);
        added.sort(null);
        if (!revoked.isEmpty()) {
            if (config.enableAutoCommit()) {
                commitQuietly(positionsOf(revoked), "before revoking " + revoked);
            }
            try {
                listener.onPartitionsRevoked(revoked);
            } catch (RuntimeException e) {
                listenerFailure = e;
            }
            for (TopicPartition tp : revoked) {
                PartitionState s = partitions.remove(tp);
                if (s != null) {
                    abandonCalls(s);
                }
            }
        }
        if (!added.isEmpty()) {
            for (TopicPartition tp : added) {
                partitions.put(tp, new PartitionState(tp, target.get(tp), initialPending()));
            }
        }
        if (!revoked.isEmpty() || !added.isEmpty()) {
            m.reportOwned(ownedByTopicId());
        }
        if (!added.isEmpty()) {
            try {
                listener.onPartitionsAssigned(added);
            } catch (RuntimeException e) {
                listenerFailure = listenerFailure == null ? e : listenerFailure;
            }
        }
        if (listenerFailure != null) {
            throw listenerFailure;
        }
    }

    private Map<TopicPartition, String> ownedByTopicId() {
        Map<TopicPartition, String> owned = new HashMap<>();
        for (PartitionState s : partitions.values()) {
            owned.put(s.partition, s.topicId);
        }
        return owned;
    }

    private Pending initialPending() {
        if (groupId != null) {
            return Pending.COMMITTED;
        }
        return pendingFor(resetPolicy);
    }

    private static Pending pendingFor(OffsetReset policy) {
        return switch (policy) {
            case EARLIEST -> Pending.EARLIEST;
            case LATEST -> Pending.LATEST;
            case NONE -> Pending.FAILED;
        };
    }

    private void dropAllPartitions() {
        for (PartitionState s : partitions.values()) {
            abandonCalls(s);
        }
        partitions.clear();
    }

    /**
     * Detaches a partition that goes away or moves from the fetch and lookup in flight for it: their
     * answers are dropped when they arrive, and a new fetch may go out at once. Calls are not
     * cancelled: a fetch ends within fetch.max.wait.ms anyway, and the server currently answers a
     * call cancelled while it is being authenticated by closing the whole HTTP/2 connection, which
     * would fail every other call of the client in flight on it.
     */
    private void abandonCalls(PartitionState s) {
        s.resetFetchState();
    }

    // ---------------------------------------------------------------- fetching

    /** A Fetch call in flight: the offsets it asked for, per partition of its topic. */
    private static final class InFlightFetch {
        final String topic;
        final Map<Integer, Long> offsets;
        CompletableFuture<FetchResponse> future;

        InFlightFetch(String topic, Map<Integer, Long> offsets) {
            this.topic = topic;
            this.offsets = offsets;
        }
    }

    private void sendFetches() {
        long now = System.nanoTime();
        Map<String, List<PartitionState>> byTopic = new TreeMap<>();
        for (PartitionState s : partitions.values()) {
            if (s.fetchable(now)) {
                byTopic.computeIfAbsent(s.partition.topic(), t -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<String, List<PartitionState>> e : byTopic.entrySet()) {
            FetchRequest.Builder request = FetchRequest.newBuilder().setTopic(e.getKey()).setMaxWaitMs(config.fetchMaxWaitMs())
                    .setMinBytes(config.fetchMinBytes()).setMaxBytes(config.fetchMaxBytes());
            Map<Integer, Long> offsets = new LinkedHashMap<>();
            for (PartitionState s : e.getValue()) {
                request.addPartitions(PartitionFetch.newBuilder().setPartition(s.partition.partition()).setOffset(s.position)
                        .setMaxBytes(config.maxPartitionFetchBytes()));
                offsets.put(s.partition.partition(), s.position);
            }
            InFlightFetch fetch = new InFlightFetch(e.getKey(), offsets);
            for (PartitionState s : e.getValue()) {
                s.fetchInFlight = fetch;
            }
            fetch.future = rpc.call(FetchServiceGrpc.getFetchMethod(), request.build(),
                    config.fetchMaxWaitMs() + config.requestTimeoutMs());
            fetch.future.whenComplete((r, x) -> {
                completedFetches.add(fetch);
                signal.signal();
            });
        }
    }

    private void processCompletedFetches() {
        InFlightFetch fetch;
        TributaryException toThrow = null;
        while ((fetch = completedFetches.poll()) != null) {
            Set<PartitionState> mine = new HashSet<>();
            for (PartitionState s : partitions.values()) {
                if (s.fetchInFlight == fetch) {
                    s.fetchInFlight = null;
                    mine.add(s);
                }
            }
            if (mine.isEmpty()) {
                continue; // every partition of it moved, was sought or went away
            }
            FetchResponse response;
            try {
                response = fetch.future.join();
            } catch (CompletionException | CancellationException e) {
                TributaryException error = Errors.translate(e);
                TributaryException thrown = handleFetchFailure(fetch, mine, error);
                toThrow = toThrow == null ? thrown : toThrow;
                continue;
            }
            for (PartitionData data : response.getPartitionsList()) {
                TopicPartition tp = new TopicPartition(fetch.topic, data.getPartition());
                PartitionState s = partitions.get(tp);
                Long asked = fetch.offsets.get(data.getPartition());
                if (s == null || !mine.contains(s) || asked == null || s.position != asked || s.pending != Pending.NONE) {
                    continue;
                }
                s.failures = 0;
                if (data.getBatchesCount() == 0) {
                    continue;
                }
                List<RecordBatch> batches = new ArrayList<>(data.getBatchesCount());
                try {
                    for (ByteString bytes : data.getBatchesList()) {
                        batches.add(RecordBatch.parse(bytes.toByteArray()));
                    }
                } catch (InvalidRecordBatchException e) {
                    // The server checked the batch on append; a bad one here was damaged on the way or in storage.
                    s.retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rpc.backoffMs(++s.failures));
                    toThrow = toThrow == null ? new TributaryException("INVALID_BATCH", "a batch fetched from " + tp
                            + " at offset " + asked + " is damaged: " + e.getMessage(), false, null,
                            Map.of("topic", tp.topic(), "partition", Integer.toString(tp.partition())), e) : toThrow;
                    continue;
                }
                s.buffered = new FetchedRecords(batches);
            }
        }
        if (toThrow != null) {
            throw toThrow;
        }
    }

    /** What a failed fetch means for its partitions; an exception for poll to throw, or null. */
    private TributaryException handleFetchFailure(InFlightFetch fetch, Set<PartitionState> affected, TributaryException error) {
        long now = System.nanoTime();
        String code = error.code();
        if ("OFFSET_OUT_OF_RANGE".equals(code)) {
            // The call names one partition in its description only; find out which with the valid ranges.
            for (PartitionState s : affected) {
                if (s.pending == Pending.NONE && Objects.equals(fetch.offsets.get(s.partition.partition()), s.position)) {
                    s.pending = Pending.VALIDATE;
                    s.failure = error;
                }
            }
            return null;
        }
        for (PartitionState s : affected) {
            s.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(rpc.retryDelayMs(++s.failures, error));
        }
        if (error.retriable()) {
            rpc.dropTokenIfExpired(error);
            LOG.log(System.Logger.Level.DEBUG, "Fetch from topic ''{0}'' failed, retrying: {1}", fetch.topic, error.getMessage());
            return null;
        }
        if (!manualAssignment && membership != null && ("UNKNOWN_TOPIC".equals(code) || "UNKNOWN_PARTITION".equals(code))) {
            // A subscribed topic deleted or shrunk: the group takes the partitions away on a coming heartbeat.
            membership.heartbeatSoon();
            return null;
        }
        return error;
    }

    /** Up to max.poll.records records from what was fetched, advancing positions; rotates partitions for fairness. */
    private ConsumerRecords<K, V> drain() {
        int max = config.maxPollRecords();
        int count = 0;
        Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
        List<PartitionState> served = new ArrayList<>();
        RuntimeException failure = null;
        for (PartitionState s : new ArrayList<>(partitions.values())) {
            if (count >= max) {
                break;
            }
            if (s.buffered == null || s.pending != Pending.NONE) {
                continue;
            }
            List<ConsumerRecord<K, V>> list = null;
            while (count < max) {
                Record r = s.buffered.peek(s.position);
                if (r == null) {
                    s.position = Math.max(s.position, s.buffered.endOffset());
                    s.buffered = null;
                    break;
                }
                ConsumerRecord<K, V> record;
                try {
                    record = toConsumerRecord(s.partition, r);
                } catch (RuntimeException e) {
                    // The position stays at the record, so the application may seek past it.
                    failure = new TributaryException(TributaryException.SERIALIZATION, "cannot deserialize the record at offset "
                            + r.offset() + " of " + s.partition + ": " + e.getMessage(), false, null, Map.of("topic",
                            s.partition.topic(), "partition", Integer.toString(s.partition.partition()), "offset",
                            Long.toString(r.offset())), e);
                    break;
                }
                s.buffered.consumed();
                s.position = r.offset() + 1;
                if (list == null) {
                    list = out.computeIfAbsent(s.partition, tp -> new ArrayList<>());
                }
                list.add(record);
                count++;
            }
            if (list != null) {
                served.add(s);
            }
            if (failure != null) {
                break;
            }
        }
        if (failure != null && count == 0) {
            throw failure;
        }
        for (PartitionState s : served) {
            partitions.remove(s.partition);
            partitions.put(s.partition, s);
        }
        return out.isEmpty() ? ConsumerRecords.empty() : new ConsumerRecords<>(out);
    }

    private ConsumerRecord<K, V> toConsumerRecord(TopicPartition tp, Record r) {
        K key = keyDeserializer.deserialize(tp.topic(), r.key());
        V value = valueDeserializer.deserialize(tp.topic(), r.value());
        List<Header> headers = r.headers().isEmpty() ? List.of()
                : r.headers().stream().map(h -> new Header(h.key(), h.value())).toList();
        return new ConsumerRecord<>(tp, r.offset(), r.timestamp(), key, value, headers, r.key() == null ? -1 : r.key().length,
                r.value() == null ? -1 : r.value().length);
    }

    // ---------------------------------------------------------------- positions

    /** An offset lookup in flight: committed offsets, ListOffsets by spec, or the valid range. */
    private static final class OffsetLookup {
        final List<PartitionState> states;
        final CompletableFuture<Map<TopicPartition, long[]>> future;

        OffsetLookup(List<PartitionState> states, CompletableFuture<Map<TopicPartition, long[]>> future) {
            this.states = states;
            this.future = future;
        }
    }

    /** Sends the lookups partitions wait for: one FetchOffsets for all committed offsets, ListOffsets per topic otherwise. */
    private void sendLookups() {
        long now = System.nanoTime();
        List<PartitionState> committed = new ArrayList<>();
        Map<String, List<PartitionState>> listed = new TreeMap<>();
        Map<String, List<PartitionState>> ranges = new TreeMap<>();
        for (PartitionState s : partitions.values()) {
            if (!s.needsLookup(now)) {
                continue;
            }
            switch (s.pending) {
                case COMMITTED -> committed.add(s);
                case EARLIEST, LATEST, TIMESTAMP -> listed.computeIfAbsent(s.partition.topic(), t -> new ArrayList<>()).add(s);
                case VALIDATE -> ranges.computeIfAbsent(s.partition.topic(), t -> new ArrayList<>()).add(s);
                default -> { }
            }
        }
        long timeoutMs = config.requestTimeoutMs();
        long deadline = deadlineAfter(TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        if (!committed.isEmpty()) {
            Set<String> topics = new TreeSet<>();
            committed.forEach(s -> topics.add(s.partition.topic()));
            start(committed, rpc.committedOffsets(groupId, topics, timeoutMs, deadline).thenApply(found -> {
                Map<TopicPartition, long[]> out = new HashMap<>();
                found.forEach((tp, offset) -> out.put(tp, new long[] {offset}));
                return out;
            }));
        }
        listed.forEach((topic, states) -> {
            Map<Integer, ConsumerRpc.Query> queries = new HashMap<>();
            for (PartitionState s : states) {
                queries.put(s.partition.partition(), switch (s.pending) {
                    case EARLIEST -> new ConsumerRpc.Query(OffsetSpec.OFFSET_SPEC_EARLIEST, 0);
                    case LATEST -> new ConsumerRpc.Query(OffsetSpec.OFFSET_SPEC_LATEST, 0);
                    default -> new ConsumerRpc.Query(OffsetSpec.OFFSET_SPEC_TIMESTAMP, s.resetTimestampMs);
                });
            }
            start(states, rpc.listOffsets(topic, queries, timeoutMs, deadline).thenApply(answer -> {
                Map<TopicPartition, long[]> out = new HashMap<>();
                answer.forEach((p, o) -> out.put(new TopicPartition(topic, p), new long[] {o.getOffset()}));
                return out;
            }));
        });
        ranges.forEach((topic, states) -> {
            Map<Integer, ConsumerRpc.Query> earliest = new HashMap<>();
            Map<Integer, ConsumerRpc.Query> latest = new HashMap<>();
            for (PartitionState s : states) {
                earliest.put(s.partition.partition(), new ConsumerRpc.Query(OffsetSpec.OFFSET_SPEC_EARLIEST, 0));
                latest.put(s.partition.partition(), new ConsumerRpc.Query(OffsetSpec.OFFSET_SPEC_LATEST, 0));
            }
            CompletableFuture<Map<Integer, PartitionOffset>> starts = rpc.listOffsets(topic, earliest, timeoutMs, deadline);
            CompletableFuture<Map<Integer, PartitionOffset>> ends = rpc.listOffsets(topic, latest, timeoutMs, deadline);
            start(states, starts.thenCombine(ends, (s, e) -> {
                Map<TopicPartition, long[]> out = new HashMap<>();
                s.forEach((p, o) -> {
                    PartitionOffset end = e.get(p);
                    if (end != null) {
                        out.put(new TopicPartition(topic, p), new long[] {o.getOffset(), end.getOffset()});
                    }
                });
                return out;
            }));
        });
    }

    private void start(List<PartitionState> states, CompletableFuture<Map<TopicPartition, long[]>> future) {
        OffsetLookup lookup = new OffsetLookup(states, future);
        states.forEach(s -> s.lookupInFlight = lookup);
        lookupsInFlight.add(lookup);
        future.whenComplete((r, e) -> signal.signal());
    }

    /** Applies finished lookups to the partitions still waiting for them. */
    private void processCompletedLookups() {
        TributaryException toThrow = null;
        long now = System.nanoTime();
        for (Iterator<OffsetLookup> it = lookupsInFlight.iterator(); it.hasNext(); ) {
            OffsetLookup lookup = it.next();
            if (!lookup.future.isDone()) {
                continue;
            }
            it.remove();
            Map<TopicPartition, long[]> result = null;
            TributaryException error = null;
            try {
                result = lookup.future.join();
            } catch (CompletionException | CancellationException e) {
                error = Errors.translate(e);
            }
            for (PartitionState s : lookup.states) {
                if (s.lookupInFlight != lookup || partitions.get(s.partition) != s) {
                    continue; // sought, reset or gone meanwhile
                }
                s.lookupInFlight = null;
                if (error != null) {
                    s.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(rpc.retryDelayMs(++s.failures, error));
                    if (!error.retriable()) {
                        toThrow = toThrow == null ? error : toThrow;
                    }
                    continue;
                }
                s.failures = 0;
                applyLookup(s, result.get(s.partition));
            }
        }
        if (toThrow != null) {
            throw toThrow;
        }
    }

    private void applyLookup(PartitionState s, long[] answer) {
        switch (s.pending) {
            case COMMITTED -> {
                if (answer != null) {
                    s.position = answer[0];
                    s.pending = Pending.NONE;
                } else {
                    s.pending = pendingFor(resetPolicy);
                    if (s.pending == Pending.FAILED) {
                        s.failure = new TributaryException("NO_COMMITTED_OFFSET", "group '" + groupId + "' has no committed offset"
                                + " for " + s.partition + " and auto.offset.reset is none: seek to a position first", false, null,
                                Map.of("topic", s.partition.topic(), "partition", Integer.toString(s.partition.partition())), null);
                    }
                }
            }
            case EARLIEST, LATEST, TIMESTAMP -> {
                if (answer != null) {
                    s.position = answer[0];
                    s.pending = Pending.NONE;
                }
            }
            case VALIDATE -> {
                if (answer == null) {
                    return;
                }
                long start = answer[0];
                long end = answer[1];
                if (s.position >= start && s.position <= end) {
                    s.pending = Pending.NONE; // back in range (e.g. data was appended): fetch again
                    s.failure = null;
                    return;
                }
                switch (resetPolicy) {
                    case EARLIEST -> {
                        s.position = start;
                        s.pending = Pending.NONE;
                    }
                    case LATEST -> {
                        s.position = end;
                        s.pending = Pending.NONE;
                    }
                    case NONE -> {
                        TributaryException server = s.failure;
                        s.pending = Pending.FAILED;
                        s.failure = new TributaryException("OFFSET_OUT_OF_RANGE", "position " + s.position + " of " + s.partition
                                + " is outside the retained range [" + start + ", " + end + "] and auto.offset.reset is none: seek"
                                + " to a position first" + (server == null ? "" : " (server: " + server.getMessage() + ")"), false, null,
                                Map.of("topic", s.partition.topic(), "partition", Integer.toString(s.partition.partition()),
                                        "position", Long.toString(s.position), "log_start_offset", Long.toString(start),
                                        "high_watermark", Long.toString(end)), server);
                        return;
                    }
                    default -> throw new IllegalStateException();
                }
                s.failure = null;
            }
            default -> { }
        }
    }

    /** Poll fails while a partition has no position the consumer may choose itself (auto.offset.reset=none). */
    private void throwIfPositionFailed() {
        for (PartitionState s : partitions.values()) {
            if (s.pending == Pending.FAILED) {
                throw failureOf(s);
            }
        }
    }

    private TributaryException failureOf(PartitionState s) {
        if (s.failure == null) {
            s.failure = new TributaryException("NO_COMMITTED_OFFSET", "no position for " + s.partition
                    + " and auto.offset.reset is none: seek to a position first", false, null,
                    Map.of("topic", s.partition.topic(), "partition", Integer.toString(s.partition.partition())), null);
        }
        return s.failure;
    }

    /** Pumps lookups until the position of {@code s} is known, for position(). */
    private void awaitPosition(PartitionState s, long deadline, String what) {
        while (true) {
            long seen = signal.version();
            checkWakeup(true);
            processCompletedLookups();
            if (s.pending == Pending.NONE) {
                return;
            }
            if (partitions.get(s.partition) != s) {
                throw new IllegalStateException(s.partition + " is no longer assigned to this consumer");
            }
            if (s.pending == Pending.FAILED) {
                throw failureOf(s);
            }
            sendLookups();
            if (System.nanoTime() - deadline >= 0) {
                throw new TributaryException(TributaryException.TIMEOUT, what + " did not complete within request.timeout.ms ("
                        + config.requestTimeoutMs() + " ms)");
            }
            await(seen, deadline, true);
        }
    }

    @Override
    public long position(TopicPartition partition) {
        acquire();
        try {
            ensureOpen();
            PartitionState s = assigned(partition);
            if (s.pending != Pending.NONE) {
                awaitPosition(s, deadlineAfter(TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs())),
                        "finding the position of " + partition);
            }
            return s.position;
        } finally {
            release();
        }
    }

    @Override
    public void seek(TopicPartition partition, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offsets are not negative: " + offset);
        }
        acquire();
        try {
            ensureOpen();
            PartitionState s = assigned(partition);
            abandonCalls(s);
            s.position = offset;
            s.pending = Pending.NONE;
        } finally {
            release();
        }
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> toSeek) {
        seekTo(toSeek, Pending.EARLIEST, 0);
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> toSeek) {
        seekTo(toSeek, Pending.LATEST, 0);
    }

    @Override
    public void seekToTimestamp(Collection<TopicPartition> toSeek, long timestampMs) {
        seekTo(toSeek, Pending.TIMESTAMP, timestampMs);
    }

    private void seekTo(Collection<TopicPartition> toSeek, Pending how, long timestampMs) {
        Objects.requireNonNull(toSeek, "partitions");
        acquire();
        try {
            ensureOpen();
            List<PartitionState> states = new ArrayList<>();
            for (TopicPartition tp : toSeek) {
                states.add(assigned(tp));
            }
            for (PartitionState s : states) {
                abandonCalls(s);
                s.pending = how;
                s.resetTimestampMs = timestampMs;
            }
        } finally {
            release();
        }
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> of) {
        return listOffsets(of, OffsetSpec.OFFSET_SPEC_EARLIEST);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> of) {
        return listOffsets(of, OffsetSpec.OFFSET_SPEC_LATEST);
    }

    private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> of, OffsetSpec spec) {
        Objects.requireNonNull(of, "partitions");
        acquire();
        try {
            ensureOpen();
            if (of.isEmpty()) {
                return Map.of();
            }
            long deadline = deadlineAfter(TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
            return await(rpc.listOffsets(of, spec, config.requestTimeoutMs(), deadline), deadline, true);
        } finally {
            release();
        }
    }

    @Override
    public OptionalLong committed(TopicPartition partition) {
        Objects.requireNonNull(partition, "partition");
        acquire();
        try {
            ensureOpen();
            if (groupId == null) {
                throw new TributaryException(TributaryException.INVALID_CONFIG, "committed offsets belong to a consumer group: set "
                        + ConsumerConfig.GROUP_ID);
            }
            long deadline = deadlineAfter(TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
            Map<TopicPartition, Long> found = await(rpc.committedOffsets(groupId, List.of(partition.topic()),
                    config.requestTimeoutMs(), deadline), deadline, true);
            Long offset = found.get(partition);
            return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
        } finally {
            release();
        }
    }

    private PartitionState assigned(TopicPartition partition) {
        PartitionState s = partitions.get(Objects.requireNonNull(partition, "partition"));
        if (s == null) {
            throw new IllegalStateException(partition + " is not assigned to this consumer (assigned: "
                    + new TreeSet<>(partitions.keySet()) + ")");
        }
        return s;
    }

    // ================================================================ commits

    @Override
    public void commitSync() {
        acquire();
        try {
            ensureOpen();
            commitSync(positionsOf(partitions.keySet()));
        } finally {
            release();
        }
    }

    @Override
    public void commitSync(Map<TopicPartition, Long> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        acquire();
        try {
            ensureOpen();
            CompletableFuture<Void> commit = commit(offsets);
            // The commit has its own deadline (request.timeout.ms, retries included); this only bounds the wait for it.
            await(commit, deadlineAfter(TimeUnit.MILLISECONDS.toNanos(2 * config.requestTimeoutMs())), true);
        } finally {
            release();
        }
    }

    @Override
    public CompletableFuture<Void> commitAsync() {
        acquire();
        try {
            ensureOpen();
            return commit(positionsOf(partitions.keySet()));
        } finally {
            release();
        }
    }

    @Override
    public CompletableFuture<Void> commitAsync(Map<TopicPartition, Long> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        acquire();
        try {
            ensureOpen();
            return commit(offsets);
        } finally {
            release();
        }
    }

    /** The known positions of these partitions (the offsets of the next records to return). */
    private Map<TopicPartition, Long> positionsOf(Collection<TopicPartition> of) {
        Map<TopicPartition, Long> out = new TreeMap<>();
        for (TopicPartition tp : of) {
            PartitionState s = partitions.get(tp);
            if (s != null && s.pending == Pending.NONE && s.position >= 0) {
                out.put(tp, s.position);
            }
        }
        return out;
    }

    /** Queues a commit behind the earlier ones; it is sent when they finished, with the member's epoch at that moment. */
    private CompletableFuture<Void> commit(Map<TopicPartition, Long> offsets) {
        GroupMembership m = membership;
        if (m == null) {
            throw new IllegalStateException("commits need group membership: the group accepts offsets only from a member,"
                    + " for the partitions it holds; use subscribe() (this consumer " + (manualAssignment
                    ? "reads manually assigned partitions" : "is not subscribed") + ")");
        }
        Map<TopicPartition, Long> copy = new TreeMap<>(offsets);
        for (Map.Entry<TopicPartition, Long> e : copy.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("offset " + e.getValue() + " for " + e.getKey() + " is not a valid offset");
            }
        }
        if (copy.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        lastCommit.whenComplete((v, e) -> {
            long deadline = deadlineAfter(TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs()));
            attemptCommit(m, copy, deadline, result, 1);
        });
        lastCommit = result;
        return result;
    }

    private void attemptCommit(GroupMembership m, Map<TopicPartition, Long> offsets, long deadline, CompletableFuture<Void> result,
            int attempt) {
        Identity as = m.identity();
        if (as.memberId().isEmpty()) {
            result.completeExceptionally(new TributaryException("UNKNOWN_MEMBER_ID", "not a member of group '" + groupId
                    + "' yet: the join has not been answered"));
            return;
        }
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        rpc.commitOnce(groupId, as.memberId(), as.memberEpoch(), offsets, Math.max(1, remainingMs)).whenComplete((v, failure) -> {
            if (failure == null) {
                lastCommitted.putAll(offsets);
                result.complete(null);
                return;
            }
            TributaryException e = Errors.translate(failure);
            long delayNanos = TimeUnit.MILLISECONDS.toNanos(rpc.retryDelayMs(attempt, e));
            boolean retry;
            switch (e.code()) {
                case "STALE_MEMBER_EPOCH" -> {
                    // A heartbeat raised the epoch after this commit read it: retry with the new one.
                    retry = true;
                    if (m.identity().memberEpoch() != as.memberEpoch()) {
                        delayNanos = 0;
                    } else {
                        m.heartbeatSoon();
                    }
                }
                case "UNKNOWN_MEMBER_ID", "FENCED_MEMBER_EPOCH" -> {
                    m.fenced(as, e);
                    retry = false;
                }
                default -> {
                    retry = e.retriable();
                    rpc.dropTokenIfExpired(e);
                }
            }
            if (!retry || System.nanoTime() + delayNanos - deadline >= 0 || connection.isClosed()) {
                result.completeExceptionally(e);
                return;
            }
            rpc.schedule(() -> attemptCommit(m, offsets, deadline, result, attempt + 1), delayNanos, result);
        });
    }

    private void maybeAutoCommit() {
        if (membership == null || !config.enableAutoCommit() || System.nanoTime() - nextAutoCommitNanos < 0) {
            return;
        }
        nextAutoCommitNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
        Map<TopicPartition, Long> moved = new TreeMap<>();
        positionsOf(partitions.keySet()).forEach((tp, position) -> {
            if (!position.equals(lastCommitted.get(tp))) {
                moved.put(tp, position);
            }
        });
        if (!moved.isEmpty()) {
            commit(moved).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.log(System.Logger.Level.WARNING, "Auto-commit of group ''{0}'' failed: {1}", groupId,
                            Errors.translate(e).getMessage());
                }
            });
        }
    }

    /** A commit whose failure is logged, not thrown (auto-commit before a revocation or on leaving). */
    private void commitQuietly(Map<TopicPartition, Long> offsets, String when) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            await(commit(offsets), deadlineAfter(TimeUnit.MILLISECONDS.toNanos(2 * config.requestTimeoutMs())), false);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Auto-commit of group ''{0}'' {1} failed: {2}", groupId, when, e.getMessage());
        }
    }

    // ================================================================ leaving and closing

    /**
     * Gives up the partitions (auto-commit and onPartitionsRevoked, or onPartitionsLost if the
     * membership is already gone), waits for commits in flight, then leaves the group so that the
     * partitions move at once. A listener's exception is thrown after leaving.
     */
    private void leaveGroup(long deadline, boolean wakeable) {
        GroupMembership m = membership;
        RuntimeException listenerFailure = null;
        try {
            List<TopicPartition> held = new ArrayList<>(new TreeSet<>(partitions.keySet()));
            boolean lost = m.view().state() == GroupMembership.State.FENCED;
            if (!held.isEmpty()) {
                if (!lost && config.enableAutoCommit()) {
                    commitQuietly(positionsOf(held), "on leaving");
                }
                try {
                    if (lost) {
                        listener.onPartitionsLost(held);
                    } else {
                        listener.onPartitionsRevoked(held);
                    }
                } catch (RuntimeException e) {
                    listenerFailure = e;
                }
            }
            try {
                await(lastCommit.exceptionally(e -> null), deadline, wakeable);
            } catch (TributaryException e) {
                if (TributaryException.INTERRUPTED.equals(e.code())) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "Commits of group ''{0}'' still in flight on leaving: {1}", groupId, e.getMessage());
            }
        } finally {
            dropAllPartitions();
            membership = null;
            m.leave(deadline);
        }
        if (listenerFailure != null) {
            throw listenerFailure;
        }
    }

    @Override
    public void close() {
        close(Duration.ofMillis(config.requestTimeoutMs()));
    }

    @Override
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        acquire();
        try {
            if (closed) {
                return;
            }
            long deadline = deadlineAfter(timeout.toNanos());
            try {
                if (membership != null) {
                    leaveGroup(deadline, false);
                }
            } finally {
                // Calls in flight finish on their own (see abandonCalls); their answers are dropped.
                dropAllPartitions();
                lookupsInFlight.clear();
                completedFetches.clear();
                closed = true;
            }
        } finally {
            release();
        }
    }

    // ================================================================ waiting, wakeup, thread confinement

    @Override
    public void wakeup() {
        wakeupRequested.set(true);
        signal.signal();
    }

    private void checkWakeup(boolean wakeable) {
        if (wakeable && wakeupRequested.getAndSet(false)) {
            throw new TributaryException(TributaryException.INTERRUPTED, "wakeup() was called");
        }
    }

    /** Waits for a signal after {@code seen} or the deadline; an interrupt or wakeup throws INTERRUPTED. */
    private void await(long seen, long deadline, boolean wakeable) {
        try {
            signal.awaitChange(seen, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TributaryException(TributaryException.INTERRUPTED, "the consumer's thread was interrupted", e);
        }
        checkWakeup(wakeable);
    }

    /** The result of {@code future}, waiting at most until {@code deadline}; wakeup-able if asked. */
    private <T> T await(CompletableFuture<T> future, long deadline, boolean wakeable) {
        future.whenComplete((r, e) -> signal.signal());
        while (true) {
            long seen = signal.version();
            if (future.isDone()) {
                try {
                    return future.join();
                } catch (CompletionException | CancellationException e) {
                    throw Errors.translate(e);
                }
            }
            checkWakeup(wakeable);
            if (System.nanoTime() - deadline >= 0) {
                throw new TributaryException(TributaryException.TIMEOUT, "no answer within request.timeout.ms ("
                        + config.requestTimeoutMs() + " ms)");
            }
            try {
                signal.awaitChange(seen, deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TributaryException(TributaryException.INTERRUPTED, "the consumer's thread was interrupted", e);
            }
        }
    }

    /** now + nanos, saturating (Duration.ofMillis(Long.MAX_VALUE) is a valid timeout). */
    private static long deadlineAfter(long nanos) {
        long now = System.nanoTime();
        long capped = Math.min(Math.max(0, nanos), Long.MAX_VALUE / 4);
        return now + capped;
    }

    private void ensureOpen() {
        if (closed) {
            throw new TributaryException(TributaryException.CLOSED, "the consumer is closed");
        }
    }

    /** Single-thread use, as in Kafka: the thread that holds the consumer may re-enter it (from a listener), others may not. */
    private void acquire() {
        long me = Thread.currentThread().getId();
        if (ownerThread.get() != me && !ownerThread.compareAndSet(-1, me)) {
            throw new ConcurrentModificationException("the consumer is not safe for use by several threads at once (only"
                    + " wakeup() is); it is in use by thread id " + ownerThread.get());
        }
        ownerDepth++;
    }

    private void release() {
        if (--ownerDepth == 0) {
            ownerThread.set(-1);
        }
    }
}
