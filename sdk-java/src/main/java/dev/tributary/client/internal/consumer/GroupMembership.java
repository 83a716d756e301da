package dev.tributary.client.internal.consumer;

import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupHeartbeatResponse;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.LeaveGroupRequest;
import dev.tributary.api.v1.OwnedPartitions;
import dev.tributary.api.v1.TopicPartitions;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One consumer's membership in its group (group.proto's protocol, after KIP-848): a background
 * thread heartbeats so that the session stays alive however long the application processes, and
 * keeps the member id, member epoch and the assignment the group last answered. The application
 * thread reads that assignment in poll, runs the rebalance callbacks there, and reports back which
 * partitions it holds; the next heartbeat (sent at once) tells the group, which is how a revocation
 * is acknowledged and the partition handed to another member.
 *
 * <p>Losing the membership (the group answers UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH, no
 * heartbeat was answered for a whole session timeout, or poll was not called for
 * max.poll.interval.ms) makes the state {@link State#FENCED}: heartbeats stop until the application
 * thread has handled the loss ({@code onPartitionsLost}) and calls {@link #rejoin()}, so a consumer
 * never holds partitions of two incarnations at once. Commits sent meanwhile carry the old member
 * id and epoch, and the group refuses them with its own code.
 */
final class GroupMembership {
    enum State {
        /** Waiting for the first answer after joining (or rejoining with epoch 0). */
        JOINING,
        /** A member: heartbeating on the group's interval. */
        STABLE,
        /** The membership was lost; the application thread must handle it, then {@link #rejoin()}. */
        FENCED,
        /** Leaving: no more heartbeats. */
        LEAVING,
        /** Left or shut down; the heartbeat thread has ended or is ending. */
        LEFT
    }

    /** The member id and epoch to put on a commit. */
    record Identity(String memberId, int memberEpoch) {}

    /** What the application thread reconciles with: partitions by name, each with its topic id. */
    record View(State state, Map<TopicPartition, String> assignment, TributaryException fencedBy) {}

    private static final System.Logger LOG = System.getLogger(GroupMembership.class.getName());
    /** Heartbeat interval until the group has answered with its own. */
    private static final int INITIAL_INTERVAL_MS = 3_000;

    private final Connection connection;
    private final ConsumerRpc rpc;
    private final String groupId;
    private final int sessionTimeoutMs;
    private final long requestTimeoutMs;
    private final long maxPollIntervalNanos;
    private final Runnable onChange;
    private final Thread thread;
    private final Object lock = new Object();

    // Guarded by lock.
    private State state = State.JOINING;
    private String memberId = "";
    private int memberEpoch;
    private List<String> topics;
    private int subscriptionVersion;
    /** The subscription the group has acknowledged; -1: none yet. */
    private int subscriptionVersionSent = -1;
    /** The subscription carried by the heartbeat in flight; -1: it carries none. */
    private int subscriptionVersionInFlight = -1;
    private Map<TopicPartition, String> assignment = Map.of();
    private Map<TopicPartition, String> owned = Map.of();
    private TributaryException fencedBy;
    /** The last non-retriable heartbeat failure, for poll to throw once. */
    private TributaryException failure;
    private long intervalMs;
    private long nextHeartbeatNanos;
    private boolean heartbeatNow = true;
    private boolean inFlight;
    /** Raised by every loss and rejoin: answers to heartbeats sent before it belong to an earlier incarnation. */
    private long generation;
    /** When the last heartbeat that was answered was sent: the group's session lasts at least a timeout from then. */
    private long aliveSinceNanos;
    private int failures;

    private volatile long lastPollNanos = System.nanoTime();

    GroupMembership(Connection connection, ConsumerRpc rpc, String groupId, List<String> topics, int sessionTimeoutMs,
            long requestTimeoutMs, long maxPollIntervalMs, String clientId, Runnable onChange) {
        this.connection = connection;
        this.rpc = rpc;
        this.groupId = groupId;
        this.topics = List.copyOf(topics);
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.maxPollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(maxPollIntervalMs);
        this.onChange = onChange;
        this.intervalMs = boundedInterval(INITIAL_INTERVAL_MS);
        this.thread = new Thread(this::run, "tributary-consumer-heartbeat-" + groupId + (clientId.isEmpty() ? "" : "-" + clientId));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    // ------------------------------------------------------------ application thread

    View view() {
        synchronized (lock) {
            return new View(state, assignment, fencedBy);
        }
    }

    /** The last non-retriable heartbeat failure not yet reported, if any (then forgotten). */
    TributaryException takeFailure() {
        synchronized (lock) {
            TributaryException f = failure;
            failure = null;
            return f;
        }
    }

    Identity identity() {
        synchronized (lock) {
            return new Identity(memberId, memberEpoch);
        }
    }

    /** The partitions the application now holds; sent with the next heartbeat, which goes out at once. */
    void reportOwned(Map<TopicPartition, String> nowOwned) {
        synchronized (lock) {
            owned = Map.copyOf(nowOwned);
            heartbeatNow = true;
            lock.notifyAll();
        }
    }

    /** Poll was called: the application is alive (max.poll.interval.ms). */
    void polled() {
        lastPollNanos = System.nanoTime();
    }

    /** Heartbeat as soon as possible (e.g. a commit was refused with STALE_MEMBER_EPOCH: learn the new epoch). */
    void heartbeatSoon() {
        synchronized (lock) {
            heartbeatNow = true;
            lock.notifyAll();
        }
    }

    /** A new subscription, sent with the next heartbeat. */
    void subscribe(List<String> newTopics) {
        synchronized (lock) {
            topics = List.copyOf(newTopics);
            subscriptionVersion++;
            heartbeatNow = true;
            lock.notifyAll();
        }
    }

    /** After the application handled a loss: join again as a new incarnation (same member id, epoch 0, nothing held). */
    void rejoin() {
        synchronized (lock) {
            if (state != State.FENCED) {
                return;
            }
            generation++;
            state = State.JOINING;
            memberEpoch = 0;
            assignment = Map.of();
            owned = Map.of();
            fencedBy = null;
            failures = 0;
            heartbeatNow = true;
            lock.notifyAll();
        }
    }

    /** A commit sent as {@code used} was refused because the member is gone or fenced. */
    void fenced(Identity used, TributaryException e) {
        boolean changed;
        synchronized (lock) {
            changed = state == State.STABLE && used.memberId().equals(memberId) && used.memberEpoch() == memberEpoch;
            if (changed) {
                fence(e);
            }
        }
        if (changed) {
            onChange.run();
        }
    }

    /**
     * Stops heartbeating and leaves the group (LeaveGroup with the current epoch, after any
     * heartbeat in flight answered), so that the partitions go to other members at once instead of
     * after a session timeout. Best effort: a failure is logged, the session then simply expires.
     */
    void leave(long deadlineNanos) {
        Identity as;
        boolean send;
        synchronized (lock) {
            if (state == State.LEFT || state == State.LEAVING) {
                return;
            }
            State before = state;
            state = State.LEAVING;
            lock.notifyAll();
            try {
                while (inFlight && waitNanos(deadlineNanos - System.nanoTime())) {
                    // the answer may carry a newer epoch, which the leave must name
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            as = new Identity(memberId, memberEpoch);
            send = !memberId.isEmpty() && before != State.FENCED;
        }
        if (send) {
            sendLeave(as, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        }
        shutdown();
    }

    /**
     * Ends the heartbeat thread without leaving (the session expires on its own). A heartbeat in
     * flight is not cancelled (see GroupConsumer.abandonCalls): the thread ends when it is answered,
     * its answer ignored.
     */
    void shutdown() {
        synchronized (lock) {
            state = State.LEFT;
            lock.notifyAll();
        }
    }

    // ------------------------------------------------------------ heartbeat thread

    private void run() {
        try {
            while (true) {
                GroupHeartbeatRequest request = null;
                Identity pollTimeoutLeave = null;
                long sentAt;
                long sentGeneration;
                synchronized (lock) {
                    while (true) {
                        if (state == State.LEFT) {
                            return;
                        }
                        long now = System.nanoTime();
                        if (state == State.STABLE && now - lastPollNanos - maxPollIntervalNanos >= 0) {
                            pollTimeoutLeave = new Identity(memberId, memberEpoch);
                            fence(new TributaryException(TributaryException.TIMEOUT, "poll was not called for max.poll.interval.ms ("
                                    + TimeUnit.NANOSECONDS.toMillis(maxPollIntervalNanos) + " ms): left group '" + groupId
                                    + "' so that its partitions go to other members; the next poll joins again"));
                            break;
                        }
                        boolean active = state == State.JOINING || state == State.STABLE;
                        if (active && (heartbeatNow || now - nextHeartbeatNanos >= 0)) {
                            break;
                        }
                        long wait = active ? nextHeartbeatNanos - now : Long.MAX_VALUE;
                        if (state == State.STABLE) {
                            wait = Math.min(wait, lastPollNanos + maxPollIntervalNanos - now);
                        }
                        waitNanos(wait);
                    }
                    sentAt = System.nanoTime();
                    sentGeneration = generation;
                    if (pollTimeoutLeave == null) {
                        request = buildRequest();
                        heartbeatNow = false;
                        inFlight = true;
                    }
                }
                if (pollTimeoutLeave != null) {
                    LOG.log(System.Logger.Level.WARNING, "Consumer of group ''{0}'' did not poll for {1} ms: leaving the group",
                            groupId, String.valueOf(TimeUnit.NANOSECONDS.toMillis(maxPollIntervalNanos)));
                    sendLeave(pollTimeoutLeave, requestTimeoutMs);
                    onChange.run();
                    continue;
                }
                try {
                    heartbeat(request, sentAt, sentGeneration);
                } catch (RuntimeException e) {
                    // A bug rather than an answer; keep the thread (and the membership) alive and try again later.
                    LOG.log(System.Logger.Level.ERROR, "Heartbeat of group '" + groupId + "' failed unexpectedly", e);
                    synchronized (lock) {
                        inFlight = false;
                        failure = Errors.translate(e);
                        nextHeartbeatNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(intervalMs);
                        lock.notifyAll();
                    }
                    onChange.run();
                }
            }
        } catch (InterruptedException e) {
            // shut down
        }
    }

    private void heartbeat(GroupHeartbeatRequest request, long sentAt, long sentGeneration) throws InterruptedException {
        GroupHeartbeatResponse response = null;
        TributaryException error = null;
        // A heartbeat that takes longer than the session is useless: the group dropped the member by then.
        CompletableFuture<GroupHeartbeatResponse> call = rpc.call(GroupServiceGrpc.getHeartbeatMethod(), request,
                Math.min(requestTimeoutMs, sessionTimeoutMs));
        try {
            response = call.get();
        } catch (ExecutionException e) {
            error = Errors.translate(e.getCause());
        }
        boolean changed = false;
        synchronized (lock) {
            inFlight = false;
            lock.notifyAll();
            if (state == State.LEFT || sentGeneration != generation) {
                return;
            }
            long now = System.nanoTime();
            if (response != null) {
                changed = apply(response, sentAt);
            } else if ("UNKNOWN_MEMBER_ID".equals(error.code()) || "FENCED_MEMBER_EPOCH".equals(error.code())) {
                if (state == State.STABLE) {
                    fence(error);
                    changed = true;
                }
            } else {
                failures++;
                // Never sooner than the server asked (a THROTTLED answer's RetryInfo).
                long backoffMs = Math.max(Math.min(rpc.backoffMs(failures), intervalMs),
                        error.retryAfter().map(java.time.Duration::toMillis).orElse(0L));
                if (error.retriable()) {
                    rpc.dropTokenIfExpired(error);
                    LOG.log(System.Logger.Level.DEBUG, "Heartbeat of group ''{0}'' failed, retrying: {1}", groupId, error.getMessage());
                } else {
                    // Not the member's fault (permissions, a bad subscription): poll reports it; keep trying at the interval.
                    failure = error;
                    backoffMs = intervalMs;
                    changed = true;
                    LOG.log(System.Logger.Level.WARNING, "Heartbeat of group ''{0}'' failed: {1}", groupId, error.getMessage());
                }
                nextHeartbeatNanos = now + TimeUnit.MILLISECONDS.toNanos(backoffMs);
                if (state == State.STABLE && now - aliveSinceNanos - TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs) >= 0) {
                    fence(new TributaryException(TributaryException.TIMEOUT, "no heartbeat of group '" + groupId
                            + "' was answered for session.timeout.ms (" + sessionTimeoutMs + " ms); the group has dropped this"
                            + " member, last error: " + error.getMessage(), error));
                    changed = true;
                }
            }
        }
        if (changed) {
            onChange.run();
        }
    }

    /** Takes a heartbeat answer; whether the application thread has something new to look at. */
    private boolean apply(GroupHeartbeatResponse response, long sentAt) {
        memberId = response.getMemberId();
        memberEpoch = response.getMemberEpoch();
        if (subscriptionVersionInFlight >= 0) {
            subscriptionVersionSent = subscriptionVersionInFlight;
        }
        Map<TopicPartition, String> answered = new HashMap<>();
        for (TopicPartitions t : response.getAssignmentList()) {
            if (t.getTopic().isEmpty()) {
                continue; // a topic deleted since: nothing to read; the group revokes it
            }
            for (int p : t.getPartitionsList()) {
                answered.put(new TopicPartition(t.getTopic(), p), t.getTopicId());
            }
        }
        boolean changed = !answered.equals(assignment) || state == State.JOINING || failure != null;
        assignment = Map.copyOf(answered);
        if (state == State.JOINING) {
            state = State.STABLE;
        }
        failure = null;
        failures = 0;
        aliveSinceNanos = sentAt;
        intervalMs = boundedInterval(response.getHeartbeatIntervalMs() > 0 ? response.getHeartbeatIntervalMs() : INITIAL_INTERVAL_MS);
        nextHeartbeatNanos = sentAt + TimeUnit.MILLISECONDS.toNanos(intervalMs);
        return changed;
    }

    private GroupHeartbeatRequest buildRequest() {
        GroupHeartbeatRequest.Builder b = GroupHeartbeatRequest.newBuilder().setGroupId(groupId).setMemberId(memberId)
                .setMemberEpoch(memberEpoch);
        subscriptionVersionInFlight = -1;
        if (memberEpoch == 0 || subscriptionVersionSent != subscriptionVersion) {
            // Joining needs the subscription; afterwards it is sent only when it changed ("empty" means unchanged).
            b.addAllSubscribedTopics(topics);
            subscriptionVersionInFlight = subscriptionVersion;
        }
        if (memberEpoch == 0) {
            b.setSessionTimeoutMs(sessionTimeoutMs);
        }
        // Always sent: a set without the revoked partitions is what acknowledges their revocation.
        Map<String, TopicPartitions.Builder> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, String> e : new TreeMap<>(owned).entrySet()) {
            byTopic.computeIfAbsent(e.getValue(), id -> TopicPartitions.newBuilder().setTopic(e.getKey().topic()).setTopicId(id))
                    .addPartitions(e.getKey().partition());
        }
        OwnedPartitions.Builder o = OwnedPartitions.newBuilder();
        byTopic.values().forEach(o::addTopics);
        return b.setOwnedPartitions(o).build();
    }

    private void sendLeave(Identity as, long timeoutMs) {
        LeaveGroupRequest request = LeaveGroupRequest.newBuilder().setGroupId(groupId).setMemberId(as.memberId())
                .setMemberEpoch(as.memberEpoch()).build();
        try {
            rpc.call(GroupServiceGrpc.getLeaveGroupMethod(), request, timeoutMs).get();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.INFO, "Leaving group ''{0}'' failed (its session will expire instead): {1}", groupId,
                    Errors.translate(e.getCause()).getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Must hold the lock. */
    private void fence(TributaryException reason) {
        state = State.FENCED;
        fencedBy = reason;
        generation++;
        lock.notifyAll();
    }

    /** Must hold the lock; waits up to {@code nanos} (forever if Long.MAX_VALUE); whether time may remain. */
    private boolean waitNanos(long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return false;
        }
        if (nanos == Long.MAX_VALUE) {
            lock.wait();
        } else {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        }
        return true;
    }

    /** The group's interval, but at most a third of the session, so that one lost heartbeat never costs the membership. */
    private int boundedInterval(int answeredMs) {
        return Math.max(1, Math.min(answeredMs, sessionTimeoutMs / 3));
    }
}
