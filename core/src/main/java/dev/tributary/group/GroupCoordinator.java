package dev.tributary.group;

import dev.tributary.group.GroupKeySpace.GroupRecord;
import dev.tributary.group.GroupKeySpace.TopicSnapshot;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.log.TimestampOffset;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Consumer groups with server-side assignment, after Kafka's KIP-848, on the store. Any data-plane
 * pod can serve any call: all state is in storage and every call is one transaction (admin reads of
 * lag add one read per partition).
 *
 * <p><b>Epochs.</b> Every change of membership, subscriptions or subscribed topics' partitions
 * raises the <em>group epoch</em>; the next call then computes a new target assignment
 * ({@link UniformStickyAssignor}) and sets the <em>assignment epoch</em> to the group epoch. Each
 * member has a <em>member epoch</em>: the assignment epoch it has reconciled to. Offset commits must
 * carry the member's current epoch, so a member that missed a rebalance, was removed, or is a
 * zombie of an earlier incarnation cannot commit.
 *
 * <p><b>Incremental cooperative reconciliation</b>, on each heartbeat of member m:
 * <ol>
 *   <li>if m has partitions pending revocation and reports owned partitions without them, the
 *       revocation is acknowledged (they become free);
 *   <li>else if m holds partitions outside its target, they move from "assigned" to "revoking":
 *       the response no longer lists them, m stops consuming them (committing first if it wants:
 *       commits for revoking partitions are accepted) and acknowledges; its epoch stays;
 *   <li>else m receives every partition of its target that no other member holds (assigned or
 *       revoking), and its member epoch becomes the assignment epoch. Partitions still held
 *       elsewhere are handed over on a later heartbeat, once released.
 * </ol>
 * So a partition is never held by two members: it is handed out only when no other member's record
 * holds it, and a record stops holding it only by that member's acknowledgement, its leave, or its
 * removal after its session expired. A member that never acknowledges keeps the partitions until
 * its session expires (there is no separate rebalance timeout).
 *
 * <p><b>Concurrency.</b> A heartbeat reads the group record with a conflict range and the members
 * as a snapshot, plus a conflict on every member key it writes (its own; others' when a new target
 * assignment or an expiry rewrites them). That is enough: other members' records change
 * under a fixed group record only by their own reconciliation (which takes partitions from their
 * own target, disjoint from ours) or by acknowledgements (which only free partitions); anything
 * that changes targets or membership writes the group record and so conflicts. Expiring another
 * member adds a conflict on that member's key, so a concurrent heartbeat of it wins or loses whole.
 *
 * <p><b>Clocks.</b> Session deadlines are written with the clock of the pod that served the
 * heartbeat. Pods' clocks may disagree: that can only expire a member early or late (liveness),
 * never hand a partition to two members, since that rests on the transactions above.
 *
 * <p><b>Limits.</b> A group's state is read and written in one transaction, so a group has at most
 * {@link #MAX_MEMBERS} members and its subscribed topics at most {@link #MAX_GROUP_PARTITIONS}
 * partitions (a member record then stays well below the 100 KB value limit).
 */
public final class GroupCoordinator {
    public static final int MAX_MEMBERS = 1_000;
    public static final int MAX_GROUP_PARTITIONS = 10_000;
    public static final int MAX_METADATA_CHARS = 4_096;
    public static final int MAX_COMMITS_PER_CALL = 10_000;
    public static final int MAX_LIST_PAGE = 1_000;
    public static final int DEFAULT_SESSION_TIMEOUT_MILLIS = 45_000;
    public static final int MIN_SESSION_TIMEOUT_MILLIS = 1_000;
    public static final int MAX_SESSION_TIMEOUT_MILLIS = 1_800_000;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 5_000;
    /** Group and member ids: printable ASCII without spaces, 1 to 249 characters (as Kafka's topic rule, wider set). */
    public static final Pattern ID = Pattern.compile("[\\x21-\\x7e]{1,249}");

    private final KeyValueStore store;
    private final TopicStore topics;
    private final PartitionLog log;
    private final LongSupplier clock;
    private final int heartbeatIntervalMillis;

    public GroupCoordinator(KeyValueStore store) {
        this(store, System::currentTimeMillis, DEFAULT_HEARTBEAT_INTERVAL_MILLIS);
    }

    /** @param clock wall-clock milliseconds of this pod, for session deadlines and commit times */
    public GroupCoordinator(KeyValueStore store, LongSupplier clock, int heartbeatIntervalMillis) {
        this.store = store;
        this.topics = new TopicStore(store);
        this.log = new PartitionLog(store);
        this.clock = clock;
        this.heartbeatIntervalMillis = heartbeatIntervalMillis;
    }

    // ---------------------------------------------------------------- membership

    /** A member's heartbeat: joins, renews its session, changes its subscription and reconciles. */
    public HeartbeatResponse heartbeat(String tenant, String group, HeartbeatRequest request) {
        validateId("group id", group);
        boolean join = request.memberId() == null || request.memberId().isEmpty() || request.memberEpoch() == 0;
        if (!join) {
            validateId("member id", request.memberId());
        } else if (request.memberId() != null && !request.memberId().isEmpty()) {
            validateId("member id", request.memberId());
        }
        if (request.memberEpoch() < 0) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "member epochs are not negative: " + request.memberEpoch());
        }
        List<String> subscription = request.subscribedTopics() == null ? null : normalize(request.subscribedTopics());
        if (join && subscription == null) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "joining needs a subscription (topic names)");
        }
        int sessionTimeout = request.sessionTimeoutMillis() == 0 ? DEFAULT_SESSION_TIMEOUT_MILLIS : request.sessionTimeoutMillis();
        if (sessionTimeout < MIN_SESSION_TIMEOUT_MILLIS || sessionTimeout > MAX_SESSION_TIMEOUT_MILLIS) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "session timeout must be in [" + MIN_SESSION_TIMEOUT_MILLIS
                    + ", " + MAX_SESSION_TIMEOUT_MILLIS + "] ms, not " + sessionTimeout);
        }
        String newMemberId = join && (request.memberId() == null || request.memberId().isEmpty())
                ? UUID.randomUUID().toString() : request.memberId();
        Outcome<HeartbeatResponse> outcome = store.run(tx -> {
            long now = clock.getAsLong();
            LoadedGroup g = LoadedGroup.load(tx, tenant, group);
            if (!join) {
                MemberState me = g.member(request.memberId());
                if (me == null) {
                    throw unknownMember(group, request.memberId());
                }
                if (me.sessionDeadlineMillis() <= now) {
                    g.remove(me.memberId());
                    g.assignIfNeeded();
                    g.write();
                    return Outcome.failed(new GroupException(GroupErrorCode.UNKNOWN_MEMBER_ID, "the session of member '"
                            + me.memberId() + "' in group '" + group + "' expired; join again"));
                }
                if (request.memberEpoch() != me.memberEpoch()) {
                    throw new GroupException(GroupErrorCode.FENCED_MEMBER_EPOCH, "member '" + me.memberId() + "' sent epoch "
                            + request.memberEpoch() + " but its epoch is " + me.memberEpoch() + "; join again");
                }
            }
            g.createIfAbsent(now);
            g.expireOthers(now, newMemberId);
            MemberState me;
            if (join) {
                if (g.members.containsKey(newMemberId)) {
                    g.member(newMemberId); // conflict with the earlier incarnation's own writes
                } else if (g.members.size() >= MAX_MEMBERS) {
                    throw new GroupException(GroupErrorCode.GROUP_TOO_LARGE, "group '" + group + "' has " + MAX_MEMBERS + " members");
                }
                me = new MemberState(newMemberId, 0, sessionTimeout, now + sessionTimeout, subscription,
                        new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
                g.bumpGroupEpoch();
            } else {
                MemberState old = g.members.get(newMemberId);
                List<String> subs = old.subscribedTopics();
                if (subscription != null && !subscription.equals(subs)) {
                    subs = subscription;
                    g.bumpGroupEpoch();
                }
                me = new MemberState(old.memberId(), old.memberEpoch(), old.sessionTimeoutMillis(),
                        now + old.sessionTimeoutMillis(), subs, old.assigned(), old.revoking(), old.target());
            }
            g.put(me);
            g.refreshTopology();
            g.assignIfNeeded();
            MemberState reconciled = g.reconcile(newMemberId, request.ownedPartitions());
            g.write();
            return Outcome.ok(new HeartbeatResponse(newMemberId, reconciled.memberEpoch(),
                    g.describeAssignment(reconciled.assigned()), heartbeatIntervalMillis));
        });
        return outcome.get();
    }

    /** A member leaves: its partitions are free at once, the others get a new target. */
    public void leave(String tenant, String group, String memberId, int memberEpoch) {
        validateId("group id", group);
        validateId("member id", memberId);
        store.run(tx -> {
            LoadedGroup g = LoadedGroup.load(tx, tenant, group);
            MemberState me = g.member(memberId);
            if (me == null) {
                throw unknownMember(group, memberId);
            }
            if (me.memberEpoch() != memberEpoch) {
                throw new GroupException(GroupErrorCode.FENCED_MEMBER_EPOCH, "member '" + memberId + "' left with epoch "
                        + memberEpoch + " but its epoch is " + me.memberEpoch());
            }
            g.remove(memberId);
            g.expireOthers(clock.getAsLong(), null);
            g.refreshTopology();
            g.assignIfNeeded();
            g.write();
            return null;
        });
    }

    /** Removes the members of a group whose session expired; returns their ids. For a periodic sweeper. */
    public List<String> expireMembers(String tenant, String group) {
        validateId("group id", group);
        return store.run(tx -> {
            LoadedGroup g = LoadedGroup.load(tx, tenant, group);
            if (g.record == null) {
                throw unknownGroup(group);
            }
            List<String> expired = g.expireOthers(clock.getAsLong(), null);
            if (!expired.isEmpty()) {
                g.refreshTopology();
                g.assignIfNeeded();
                g.write();
            }
            return expired;
        });
    }

    // ---------------------------------------------------------------- offsets

    /**
     * Commits offsets for a member, fenced by its epoch: UNKNOWN_GROUP, UNKNOWN_MEMBER_ID (left,
     * removed or expired), STALE_MEMBER_EPOCH (older epoch: heartbeat, then retry),
     * FENCED_MEMBER_EPOCH (newer epoch than the member has), NOT_ASSIGNED (a partition the member
     * neither holds nor is revoking), INVALID_OFFSET (negative or above the high watermark). All or
     * nothing.
     */
    public List<CommittedOffset> commitOffsets(String tenant, String group, String memberId, int memberEpoch,
            List<OffsetCommit> commits) {
        validateId("group id", group);
        validateId("member id", memberId);
        Map<TopicPartition, OffsetCommit> resolved = resolveCommits(tenant, commits);
        return store.run(tx -> {
            long now = clock.getAsLong();
            GroupRecord record = GroupRecord.decode(tx.get(GroupKeySpace.group(tenant, group)).join());
            if (record == null) {
                throw unknownGroup(group);
            }
            byte[] memberValue = tx.get(GroupKeySpace.member(tenant, group, memberId)).join();
            if (memberValue == null) {
                throw unknownMember(group, memberId);
            }
            MemberState member = GroupKeySpace.decodeMember(memberId, memberValue);
            if (member.sessionDeadlineMillis() <= now) {
                throw new GroupException(GroupErrorCode.UNKNOWN_MEMBER_ID, "the session of member '" + memberId
                        + "' in group '" + group + "' expired");
            }
            if (memberEpoch < member.memberEpoch()) {
                throw new GroupException(GroupErrorCode.STALE_MEMBER_EPOCH, "commit with member epoch " + memberEpoch
                        + ", the member's epoch is " + member.memberEpoch());
            }
            if (memberEpoch > member.memberEpoch()) {
                throw new GroupException(GroupErrorCode.FENCED_MEMBER_EPOCH, "commit with member epoch " + memberEpoch
                        + ", above the member's epoch " + member.memberEpoch());
            }
            List<CommittedOffset> written = new ArrayList<>();
            for (var e : resolved.entrySet()) {
                if (!member.holds(e.getKey())) {
                    throw new GroupException(GroupErrorCode.NOT_ASSIGNED, "partition " + e.getValue().topic() + "-"
                            + e.getValue().partition() + " is not assigned to member '" + memberId + "'");
                }
                CommittedOffset offset = new CommittedOffset(e.getKey(), e.getValue().offset(),
                        Objects.requireNonNullElse(e.getValue().metadata(), ""), now);
                tx.set(GroupKeySpace.offset(tenant, group, e.getKey()), GroupKeySpace.encodeOffset(offset));
                written.add(offset);
            }
            return written;
        });
    }

    /** Validates commits and resolves topic names; offsets are checked against the high watermark read now (it only grows). */
    private Map<TopicPartition, OffsetCommit> resolveCommits(String tenant, List<OffsetCommit> commits) {
        if (commits == null || commits.isEmpty() || commits.size() > MAX_COMMITS_PER_CALL) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "commit 1 to " + MAX_COMMITS_PER_CALL + " offsets at once");
        }
        Map<String, TopicMetadata> byName = new HashMap<>();
        Map<TopicPartition, OffsetCommit> resolved = new LinkedHashMap<>();
        for (OffsetCommit c : commits) {
            if (c.metadata() != null && c.metadata().length() > MAX_METADATA_CHARS) {
                throw new GroupException(GroupErrorCode.INVALID_REQUEST, "offset metadata is at most " + MAX_METADATA_CHARS + " characters");
            }
            if (c.offset() < 0) {
                throw new GroupException(GroupErrorCode.INVALID_OFFSET, "offset " + c.offset() + " for " + c.topic() + "-"
                        + c.partition() + " is negative");
            }
            TopicMetadata topic = byName.computeIfAbsent(c.topic(), name -> requireTopic(tenant, name));
            TopicPartition tp = partitionOf(topic, c.partition());
            PartitionOffsets range = log.offsets(tenant, topic.id(), c.partition());
            if (c.offset() > range.highWatermark()) {
                throw new GroupException(GroupErrorCode.INVALID_OFFSET, "offset " + c.offset() + " for " + c.topic() + "-"
                        + c.partition() + " is beyond the high watermark " + range.highWatermark());
            }
            resolved.put(tp, c);
        }
        return resolved;
    }

    /** Committed offsets of a group, of the named topics (null: all). UNKNOWN_GROUP if there is no such group. */
    public Map<TopicPartition, CommittedOffset> fetchOffsets(String tenant, String group, List<String> topicNames) {
        validateId("group id", group);
        List<TopicId> ids = null;
        if (topicNames != null) {
            ids = new ArrayList<>();
            for (String name : topicNames) {
                ids.add(requireTopic(tenant, name).id());
            }
        }
        List<TopicId> wanted = ids;
        return store.read(tx -> {
            if (tx.get(GroupKeySpace.group(tenant, group)).join() == null) {
                throw unknownGroup(group);
            }
            return readOffsets(tx, tenant, group, wanted);
        });
    }

    private static Map<TopicPartition, CommittedOffset> readOffsets(ReadTransaction tx, String tenant, String group,
            List<TopicId> topicIds) {
        Map<TopicPartition, CommittedOffset> result = new TreeMap<>();
        List<com.apple.foundationdb.subspace.Subspace> ranges = new ArrayList<>();
        if (topicIds == null) {
            ranges.add(GroupKeySpace.offsets(tenant, group));
        } else {
            for (TopicId id : topicIds) {
                ranges.add(GroupKeySpace.topicOffsets(tenant, group, id));
            }
        }
        for (var space : ranges) {
            var range = space.range();
            var it = tx.iterate(range.begin, range.end, false, 1_000);
            while (it.hasNext()) {
                KeyValue kv = it.next();
                TopicPartition tp = GroupKeySpace.decodeOffsetKey(tenant, group, kv.key());
                result.put(tp, GroupKeySpace.decodeOffset(tp, kv.value()));
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- admin

    /** Up to {@code limit} groups in id order after {@code afterGroupId} (null: from the first). */
    public List<GroupListing> listGroups(String tenant, String afterGroupId, int limit) {
        if (limit < 1 || limit > MAX_LIST_PAGE) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "page size must be in [1, " + MAX_LIST_PAGE + "]");
        }
        var groups = GroupKeySpace.groups(tenant);
        byte[] begin = afterGroupId == null ? groups.range().begin : Keys.keyAfter(groups.pack(afterGroupId));
        long now = clock.getAsLong();
        return store.read(tx -> {
            List<GroupListing> result = new ArrayList<>();
            for (KeyValue kv : tx.getRange(begin, groups.range().end, limit, false).join()) {
                String id = groups.unpack(kv.key()).getString(0);
                GroupRecord record = GroupRecord.decode(kv.value());
                List<MemberState> live = liveMembers(tx, tenant, id, now);
                result.add(new GroupListing(id, state(record, live), live.size(), record.groupEpoch()));
            }
            return result;
        });
    }

    /** Members, assignment, committed offsets and lag of a group. */
    public GroupDescription describe(String tenant, String group) {
        validateId("group id", group);
        long now = clock.getAsLong();
        record Snapshot(GroupRecord record, List<MemberState> members, Map<TopicPartition, CommittedOffset> offsets) {}
        Snapshot snap = store.read(tx -> {
            GroupRecord record = GroupRecord.decode(tx.get(GroupKeySpace.group(tenant, group)).join());
            if (record == null) {
                throw unknownGroup(group);
            }
            return new Snapshot(record, liveMembers(tx, tenant, group, now), readOffsets(tx, tenant, group, null));
        });
        Map<TopicPartition, String> holder = new HashMap<>();
        for (MemberState m : snap.members) {
            m.assigned().forEach(tp -> holder.put(tp, m.memberId()));
            m.revoking().forEach(tp -> holder.put(tp, m.memberId()));
        }
        SortedSet<TopicPartition> partitions = new TreeSet<>(snap.offsets.keySet());
        Map<TopicId, String> names = new HashMap<>();
        for (TopicSnapshot t : snap.record.topology()) {
            names.put(t.id(), t.name());
            for (int p = 0; p < t.partitions(); p++) {
                partitions.add(new TopicPartition(t.id(), p));
            }
        }
        List<PartitionLag> lags = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            String name = names.computeIfAbsent(tp.topicId(), id -> {
                try {
                    return topics.getById(tenant, id).name();
                } catch (LogException e) {
                    return null; // deleted topic: its offsets stay until the group is deleted
                }
            });
            long hwm = -1;
            if (name != null) {
                try {
                    hwm = log.offsets(tenant, tp.topicId(), tp.partition()).highWatermark();
                } catch (LogException e) {
                    hwm = -1;
                }
            }
            CommittedOffset committed = snap.offsets.get(tp);
            long offset = committed == null ? -1 : committed.offset();
            long lag = offset < 0 || hwm < 0 ? -1 : Math.max(0, hwm - offset);
            lags.add(new PartitionLag(name, tp.topicId(), tp.partition(), offset, hwm, lag, holder.get(tp)));
        }
        return new GroupDescription(group, state(snap.record, snap.members), snap.record.groupEpoch(),
                snap.record.assignmentEpoch(), snap.members, lags);
    }

    /**
     * Resets a group's committed offsets of one topic (all partitions, or the listed ones). Only
     * for a group without live members (GROUP_NOT_EMPTY otherwise); creates the group if needed.
     */
    public List<CommittedOffset> resetOffsets(String tenant, String group, String topicName, OffsetReset reset,
            List<Integer> partitions) {
        validateId("group id", group);
        TopicMetadata topic = requireTopic(tenant, topicName);
        List<Integer> which = new ArrayList<>();
        if (partitions == null) {
            for (int p = 0; p < topic.partitions(); p++) {
                which.add(p);
            }
        } else {
            which.addAll(new TreeSet<>(partitions));
        }
        Map<TopicPartition, Long> targets = new TreeMap<>();
        for (int p : which) {
            targets.put(partitionOf(topic, p), resetTarget(tenant, topic, p, reset));
        }
        return writeReset(tenant, group, targets);
    }

    /**
     * Resets a group's committed offsets of every partition of several topics in one transaction:
     * all of them move, or (GROUP_NOT_EMPTY, an unknown topic) none does. Same rules as the
     * single-topic reset.
     */
    public List<CommittedOffset> resetOffsets(String tenant, String group, List<String> topicNames, OffsetReset reset) {
        validateId("group id", group);
        if (topicNames == null || topicNames.isEmpty()) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "name at least one topic to reset");
        }
        Map<TopicPartition, Long> targets = new TreeMap<>();
        for (String name : new TreeSet<>(topicNames)) {
            TopicMetadata topic = requireTopic(tenant, name);
            if (targets.size() + topic.partitions() > MAX_COMMITS_PER_CALL) {
                throw new GroupException(GroupErrorCode.INVALID_REQUEST, "reset at most " + MAX_COMMITS_PER_CALL
                        + " partitions at once");
            }
            for (int p = 0; p < topic.partitions(); p++) {
                targets.put(new TopicPartition(topic.id(), p), resetTarget(tenant, topic, p, reset));
            }
        }
        return writeReset(tenant, group, targets);
    }

    /** Where {@code reset} puts partition {@code p}; read outside the transaction (log start and high watermark only grow). */
    private long resetTarget(String tenant, TopicMetadata topic, int p, OffsetReset reset) {
        PartitionOffsets range = log.offsets(tenant, topic.id(), p);
        return switch (reset.strategy()) {
            case EARLIEST -> range.logStartOffset();
            case LATEST -> range.highWatermark();
            case TIMESTAMP -> log.offsetForTimestamp(tenant, topic.id(), p, reset.value())
                    .map(TimestampOffset::offset).orElse(range.highWatermark());
            case OFFSET -> {
                if (reset.value() < range.logStartOffset() || reset.value() > range.highWatermark()) {
                    throw new GroupException(GroupErrorCode.INVALID_OFFSET, "offset " + reset.value() + " is outside ["
                            + range.logStartOffset() + ", " + range.highWatermark() + "] of " + topic.name() + "-" + p);
                }
                yield reset.value();
            }
        };
    }

    private List<CommittedOffset> writeReset(String tenant, String group, Map<TopicPartition, Long> targets) {
        return store.run(tx -> {
            long now = clock.getAsLong();
            LoadedGroup g = LoadedGroup.load(tx, tenant, group);
            g.createIfAbsent(now);
            requireEmpty(g, now);
            List<CommittedOffset> written = new ArrayList<>();
            for (var e : targets.entrySet()) {
                CommittedOffset offset = new CommittedOffset(e.getKey(), e.getValue(), "", now);
                tx.set(GroupKeySpace.offset(tenant, group, e.getKey()), GroupKeySpace.encodeOffset(offset));
                written.add(offset);
            }
            g.write();
            return written;
        });
    }

    /** Deletes a group without live members, with its committed offsets. */
    public void deleteGroup(String tenant, String group) {
        validateId("group id", group);
        store.run(tx -> {
            long now = clock.getAsLong();
            LoadedGroup g = LoadedGroup.load(tx, tenant, group);
            if (g.record == null) {
                throw unknownGroup(group);
            }
            requireEmpty(g, now);
            tx.clear(GroupKeySpace.group(tenant, group));
            for (var space : List.of(GroupKeySpace.members(tenant, group), GroupKeySpace.offsets(tenant, group))) {
                tx.clearRange(space.range().begin, space.range().end);
            }
            return null;
        });
    }

    private static void requireEmpty(LoadedGroup g, long now) {
        for (MemberState m : g.members.values()) {
            if (m.sessionDeadlineMillis() > now) {
                g.member(m.memberId()); // a concurrent join or heartbeat must conflict with this
                throw new GroupException(GroupErrorCode.GROUP_NOT_EMPTY, "group '" + g.group + "' has live members");
            }
        }
        // Expired members are gone as far as this group is concerned; read their keys so that a
        // concurrent heartbeat of theirs (which would fail anyway) conflicts rather than races.
        for (String id : new ArrayList<>(g.members.keySet())) {
            g.member(id);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<MemberState> liveMembers(ReadTransaction tx, String tenant, String group, long now) {
        var range = GroupKeySpace.members(tenant, group).range();
        List<MemberState> live = new ArrayList<>();
        for (KeyValue kv : tx.getRange(range.begin, range.end).join()) {
            MemberState m = GroupKeySpace.decodeMember(GroupKeySpace.members(tenant, group).unpack(kv.key()).getString(0), kv.value());
            if (m.sessionDeadlineMillis() > now) {
                live.add(m);
            }
        }
        return live;
    }

    private static GroupState state(GroupRecord record, List<MemberState> live) {
        if (live.isEmpty()) {
            return GroupState.EMPTY;
        }
        for (MemberState m : live) {
            if (m.memberEpoch() != record.assignmentEpoch() || !m.revoking().isEmpty() || !m.assigned().equals(m.target())
                    || record.assignmentEpoch() != record.groupEpoch()) {
                return GroupState.RECONCILING;
            }
        }
        return GroupState.STABLE;
    }

    private TopicMetadata requireTopic(String tenant, String name) {
        try {
            return topics.find(tenant, name).orElseThrow(() -> new GroupException(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "no topic '" + name + "' in tenant '" + tenant + "'"));
        } catch (LogException e) {
            throw new GroupException(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION, e.getMessage());
        }
    }

    private static TopicPartition partitionOf(TopicMetadata topic, int partition) {
        if (partition < 0 || partition >= topic.partitions()) {
            throw new GroupException(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic.name() + "' has partitions 0.."
                    + (topic.partitions() - 1) + ", not " + partition);
        }
        return new TopicPartition(topic.id(), partition);
    }

    private static List<String> normalize(List<String> names) {
        if (names.isEmpty()) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "a subscription names at least one topic");
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String name : names) {
            try {
                TopicStore.validateName(name);
            } catch (LogException e) {
                throw new GroupException(GroupErrorCode.INVALID_REQUEST, e.getMessage());
            }
            sorted.add(name);
        }
        return List.copyOf(sorted);
    }

    private static void validateId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new GroupException(GroupErrorCode.INVALID_REQUEST, "invalid " + what + " '" + id
                    + "': 1 to 249 printable ASCII characters without spaces");
        }
    }

    private static GroupException unknownGroup(String group) {
        return new GroupException(GroupErrorCode.UNKNOWN_GROUP, "no group '" + group + "'");
    }

    private static GroupException unknownMember(String group, String memberId) {
        return new GroupException(GroupErrorCode.UNKNOWN_MEMBER_ID, "no member '" + memberId + "' in group '" + group + "'");
    }

    /** A result or an error to throw after committing (e.g. a member removed because its session expired). */
    private record Outcome<T>(T value, GroupException error) {
        static <T> Outcome<T> ok(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> failed(GroupException error) {
            return new Outcome<>(null, error);
        }

        T get() {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    /** One group's state loaded in a transaction, changed in memory, then written back. */
    private static final class LoadedGroup {
        final Transaction tx;
        final String tenant;
        final String group;
        GroupRecord record;
        boolean recordDirty;
        final TreeMap<String, MemberState> members = new TreeMap<>();
        final Set<String> dirty = new HashSet<>();
        final Set<String> removed = new HashSet<>();

        private LoadedGroup(Transaction tx, String tenant, String group) {
            this.tx = tx;
            this.tenant = tenant;
            this.group = group;
        }

        static LoadedGroup load(Transaction tx, String tenant, String group) {
            LoadedGroup g = new LoadedGroup(tx, tenant, group);
            g.record = GroupRecord.decode(tx.get(GroupKeySpace.group(tenant, group)).join());
            var space = GroupKeySpace.members(tenant, group);
            for (KeyValue kv : tx.snapshot().getRange(space.range().begin, space.range().end).join()) {
                String id = space.unpack(kv.key()).getString(0);
                g.members.put(id, GroupKeySpace.decodeMember(id, kv.value()));
            }
            return g;
        }

        /** The member, with a read conflict on its key (the caller's decision depends on it). */
        MemberState member(String memberId) {
            tx.addReadConflictKey(GroupKeySpace.member(tenant, group, memberId));
            return members.get(memberId);
        }

        void createIfAbsent(long now) {
            if (record == null) {
                record = new GroupRecord(0, 0, now, List.of());
                recordDirty = true;
            }
        }

        void bumpGroupEpoch() {
            record = new GroupRecord(record.groupEpoch() + 1, record.assignmentEpoch(), record.createdAtMillis(), record.topology());
            recordDirty = true;
        }

        void put(MemberState m) {
            members.put(m.memberId(), m);
            dirty.add(m.memberId());
            removed.remove(m.memberId());
        }

        void remove(String memberId) {
            members.remove(memberId);
            dirty.remove(memberId);
            removed.add(memberId);
            if (record != null) {
                bumpGroupEpoch();
            }
        }

        List<String> expireOthers(long now, String except) {
            List<String> expired = new ArrayList<>();
            for (MemberState m : new ArrayList<>(members.values())) {
                if (!m.memberId().equals(except) && m.sessionDeadlineMillis() <= now) {
                    member(m.memberId());
                    remove(m.memberId());
                    expired.add(m.memberId());
                }
            }
            return expired;
        }

        /** Re-reads the subscribed topics; a new id or partition count raises the group epoch. */
        void refreshTopology() {
            TreeSet<String> names = new TreeSet<>();
            members.values().forEach(m -> names.addAll(m.subscribedTopics()));
            List<TopicSnapshot> topology = new ArrayList<>();
            int total = 0;
            for (String name : names) {
                TopicMetadata topic = TopicStore.readByName(tx.snapshot(), tenant, name);
                if (topic != null) {
                    topology.add(new TopicSnapshot(name, topic.id(), topic.partitions()));
                    total += topic.partitions();
                }
            }
            if (total > MAX_GROUP_PARTITIONS) {
                throw new GroupException(GroupErrorCode.GROUP_TOO_LARGE, "the topics subscribed in group '" + group + "' have "
                        + total + " partitions, more than " + MAX_GROUP_PARTITIONS);
            }
            if (!topology.equals(record.topology())) {
                record = new GroupRecord(record.groupEpoch() + 1, record.assignmentEpoch(), record.createdAtMillis(), topology);
                recordDirty = true;
            }
        }

        /** Computes a new target assignment when the group epoch moved past the assignment epoch. */
        void assignIfNeeded() {
            if (record == null || record.assignmentEpoch() >= record.groupEpoch()) {
                return;
            }
            Map<String, List<String>> subscriptions = new TreeMap<>();
            Map<String, SortedSet<TopicPartition>> previous = new HashMap<>();
            members.values().forEach(m -> {
                subscriptions.put(m.memberId(), m.subscribedTopics());
                previous.put(m.memberId(), m.target());
            });
            Map<String, SortedSet<TopicPartition>> targets =
                    UniformStickyAssignor.assign(subscriptions, record.topology(), previous);
            for (MemberState m : new ArrayList<>(members.values())) {
                SortedSet<TopicPartition> target = targets.get(m.memberId());
                if (!target.equals(m.target())) {
                    put(new MemberState(m.memberId(), m.memberEpoch(), m.sessionTimeoutMillis(), m.sessionDeadlineMillis(),
                            m.subscribedTopics(), m.assigned(), m.revoking(), target));
                }
            }
            record = new GroupRecord(record.groupEpoch(), record.groupEpoch(), record.createdAtMillis(), record.topology());
            recordDirty = true;
        }

        /** One reconciliation step of a member (see the class comment); returns its new state. */
        MemberState reconcile(String memberId, Set<TopicPartition> owned) {
            MemberState m = members.get(memberId);
            SortedSet<TopicPartition> assigned = new TreeSet<>(m.assigned());
            SortedSet<TopicPartition> revoking = new TreeSet<>(m.revoking());
            int epoch = m.memberEpoch();
            if (!revoking.isEmpty() && owned != null && Collections.disjoint(owned, revoking)) {
                revoking.clear();
            }
            if (revoking.isEmpty()) {
                SortedSet<TopicPartition> toRevoke = new TreeSet<>(assigned);
                toRevoke.removeAll(m.target());
                if (!toRevoke.isEmpty()) {
                    assigned.removeAll(toRevoke);
                    revoking.addAll(toRevoke);
                } else {
                    for (TopicPartition tp : m.target()) {
                        if (!assigned.contains(tp) && !heldByOther(memberId, tp)) {
                            assigned.add(tp);
                        }
                    }
                    epoch = record.assignmentEpoch();
                }
            }
            MemberState next = new MemberState(memberId, epoch, m.sessionTimeoutMillis(), m.sessionDeadlineMillis(),
                    m.subscribedTopics(), assigned, revoking, m.target());
            if (!next.equals(m)) {
                put(next);
            }
            return next;
        }

        private boolean heldByOther(String memberId, TopicPartition tp) {
            for (MemberState other : members.values()) {
                if (!other.memberId().equals(memberId) && other.holds(tp)) {
                    return true;
                }
            }
            return false;
        }

        List<AssignedTopic> describeAssignment(SortedSet<TopicPartition> partitions) {
            Map<TopicId, List<Integer>> byTopic = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                byTopic.computeIfAbsent(tp.topicId(), id -> new ArrayList<>()).add(tp.partition());
            }
            List<AssignedTopic> result = new ArrayList<>();
            for (TopicSnapshot t : record.topology()) {
                List<Integer> ps = byTopic.get(t.id());
                if (ps != null) {
                    result.add(new AssignedTopic(t.name(), t.id(), List.copyOf(ps)));
                }
            }
            return result;
        }

        /**
         * Writes what changed. Every member record written or cleared gets a read conflict first:
         * it was derived from a snapshot read, and a concurrent change to it (that member's own
         * reconciliation) must abort this transaction rather than be overwritten.
         */
        void write() {
            for (String id : removed) {
                member(id);
                tx.clear(GroupKeySpace.member(tenant, group, id));
            }
            for (String id : dirty) {
                member(id);
                tx.set(GroupKeySpace.member(tenant, group, id), GroupKeySpace.encodeMember(members.get(id)));
            }
            if (recordDirty) {
                tx.set(GroupKeySpace.group(tenant, group), record.encode());
            }
        }
    }
}
