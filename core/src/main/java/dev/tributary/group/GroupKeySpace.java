package dev.tributary.group;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.topic.TopicId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Keys and values of consumer groups, all under the tenant ({@code T = ("t", tenant)}):
 *
 * <pre>
 * T + ("gi", group)                      group record, tuple (1, groupEpoch, assignmentEpoch,
 *                                        createdAtMillis, ((topicName, topicId, partitions), ...))
 *                                        the last part: the subscribed topics as last assigned
 * T + ("gm", group, memberId)            member, tuple (1, memberEpoch, sessionTimeoutMillis,
 *                                        sessionDeadlineMillis, (topicName, ...), assigned, revoking,
 *                                        target), each partition set a tuple ((topicId, p, p, ...), ...)
 * T + ("go", group, topicId, partition)  committed offset, tuple (1, offset, metadata, commitTimeMillis)
 * </pre>
 *
 * The group record is separate from members and offsets so that listing groups is one range read
 * of {@code ("gi")}, and deleting a group is three range clears.
 */
final class GroupKeySpace {
    private static final long FORMAT = 1;

    private GroupKeySpace() {}

    static Subspace groups(String tenant) {
        return RootKeySpace.tenant(tenant).get("gi");
    }

    static byte[] group(String tenant, String group) {
        return groups(tenant).pack(Tuple.from(group));
    }

    static Subspace members(String tenant, String group) {
        return RootKeySpace.tenant(tenant).get("gm").get(group);
    }

    static byte[] member(String tenant, String group, String memberId) {
        return members(tenant, group).pack(Tuple.from(memberId));
    }

    static Subspace offsets(String tenant, String group) {
        return RootKeySpace.tenant(tenant).get("go").get(group);
    }

    static Subspace topicOffsets(String tenant, String group, TopicId topicId) {
        return offsets(tenant, group).get(topicId.toBytes());
    }

    static byte[] offset(String tenant, String group, TopicPartition tp) {
        return offsets(tenant, group).pack(Tuple.from(tp.topicId().toBytes(), tp.partition()));
    }

    static TopicPartition decodeOffsetKey(String tenant, String group, byte[] key) {
        Tuple t = offsets(tenant, group).unpack(key);
        return new TopicPartition(TopicId.of(t.getBytes(0)), (int) t.getLong(1));
    }

    /** What the group record stores. */
    record GroupRecord(int groupEpoch, int assignmentEpoch, long createdAtMillis, List<TopicSnapshot> topology) {
        byte[] encode() {
            List<Object> topics = new ArrayList<>();
            for (TopicSnapshot t : topology) {
                topics.add(Tuple.from(t.name(), t.id().toBytes(), (long) t.partitions()));
            }
            return Tuple.from(FORMAT, (long) groupEpoch, (long) assignmentEpoch, createdAtMillis, Tuple.fromList(topics)).pack();
        }

        static GroupRecord decode(byte[] value) {
            if (value == null) {
                return null;
            }
            Tuple t = Tuple.fromBytes(value);
            checkFormat(t.getLong(0));
            List<TopicSnapshot> topology = new ArrayList<>();
            Tuple topics = t.getNestedTuple(4);
            for (int i = 0; i < topics.size(); i++) {
                Tuple topic = topics.getNestedTuple(i);
                topology.add(new TopicSnapshot(topic.getString(0), TopicId.of(topic.getBytes(1)), (int) topic.getLong(2)));
            }
            return new GroupRecord((int) t.getLong(1), (int) t.getLong(2), t.getLong(3), topology);
        }
    }

    /** A subscribed topic as the assignment saw it: a new id or partition count triggers a new assignment. */
    record TopicSnapshot(String name, TopicId id, int partitions) {}

    static byte[] encodeMember(MemberState m) {
        return Tuple.from(FORMAT, (long) m.memberEpoch(), (long) m.sessionTimeoutMillis(), m.sessionDeadlineMillis(),
                Tuple.fromList(new ArrayList<>(m.subscribedTopics())), encodeSet(m.assigned()), encodeSet(m.revoking()),
                encodeSet(m.target())).pack();
    }

    static MemberState decodeMember(String memberId, byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        checkFormat(t.getLong(0));
        List<String> topics = new ArrayList<>();
        for (Object o : t.getNestedTuple(4).getItems()) {
            topics.add((String) o);
        }
        return new MemberState(memberId, (int) t.getLong(1), (int) t.getLong(2), t.getLong(3), topics,
                decodeSet(t.getNestedTuple(5)), decodeSet(t.getNestedTuple(6)), decodeSet(t.getNestedTuple(7)));
    }

    /** Grouped by topic so that a topic id (16 bytes) is stored once per set, not once per partition. */
    private static Tuple encodeSet(Collection<TopicPartition> set) {
        Map<TopicId, List<Object>> byTopic = new TreeMap<>(java.util.Comparator.comparing(TopicId::toString));
        for (TopicPartition tp : new TreeSet<>(set)) {
            byTopic.computeIfAbsent(tp.topicId(), id -> new ArrayList<>(List.of(id.toBytes()))).add((long) tp.partition());
        }
        List<Object> topics = new ArrayList<>();
        byTopic.values().forEach(items -> topics.add(Tuple.fromList(items)));
        return Tuple.fromList(topics);
    }

    private static SortedSet<TopicPartition> decodeSet(Tuple tuple) {
        SortedSet<TopicPartition> set = new TreeSet<>();
        for (int j = 0; j < tuple.size(); j++) {
            Tuple topic = tuple.getNestedTuple(j);
            TopicId id = TopicId.of(topic.getBytes(0));
            for (int i = 1; i < topic.size(); i++) {
                set.add(new TopicPartition(id, (int) topic.getLong(i)));
            }
        }
        return set;
    }

    static byte[] encodeOffset(CommittedOffset o) {
        return Tuple.from(FORMAT, o.offset(), o.metadata(), o.commitTimeMillis()).pack();
    }

    static CommittedOffset decodeOffset(TopicPartition tp, byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        checkFormat(t.getLong(0));
        return new CommittedOffset(tp, t.getLong(1), t.getString(2), t.getLong(3));
    }

    private static void checkFormat(long format) {
        if (format != FORMAT) {
            throw new IllegalStateException("group state of format " + format + " (this version reads " + FORMAT + ")");
        }
    }
}
