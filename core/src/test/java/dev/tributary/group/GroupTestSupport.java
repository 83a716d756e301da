package dev.tributary.group;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Shared checks of the group tests. */
final class GroupTestSupport {
    private GroupTestSupport() {}

    static GroupErrorCode code(Executable e) {
        return assertThrows(GroupException.class, e).code();
    }

    /** Every member record in storage, expired ones included (they still hold partitions until removed). */
    static List<MemberState> storedMembers(KeyValueStore store, String tenant, String group) {
        var space = GroupKeySpace.members(tenant, group);
        return store.read(tx -> {
            List<MemberState> members = new ArrayList<>();
            for (KeyValue kv : tx.getRange(space.range().begin, space.range().end).join()) {
                members.add(GroupKeySpace.decodeMember(space.unpack(kv.key()).getString(0), kv.value()));
            }
            return members;
        });
    }

    /** The central invariant: no partition is held (assigned or being revoked) by two members. */
    static void assertNoPartitionHeldTwice(KeyValueStore store, String tenant, String group) {
        Map<TopicPartition, String> holders = new HashMap<>();
        for (MemberState m : storedMembers(store, tenant, group)) {
            for (TopicPartition tp : m.assigned()) {
                assertNull(holders.put(tp, m.memberId()), tp + " held twice");
            }
            for (TopicPartition tp : m.revoking()) {
                assertNull(holders.put(tp, m.memberId()), tp + " held twice");
            }
        }
    }
}
