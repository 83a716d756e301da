package dev.tributary.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.group.GroupKeySpace.TopicSnapshot;
import dev.tributary.topic.TopicId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class UniformStickyAssignorTest {
    final TopicSnapshot t = new TopicSnapshot("t", TopicId.random(), 10);
    final TopicSnapshot u = new TopicSnapshot("u", TopicId.random(), 1);
    final TopicSnapshot v = new TopicSnapshot("v", TopicId.random(), 1);

    static Map<String, List<String>> subs(List<String> topics, String... members) {
        Map<String, List<String>> m = new TreeMap<>();
        for (String id : members) {
            m.put(id, topics);
        }
        return m;
    }

    static int moved(Map<String, SortedSet<TopicPartition>> before, Map<String, SortedSet<TopicPartition>> after) {
        int moved = 0;
        for (var e : after.entrySet()) {
            for (TopicPartition tp : e.getValue()) {
                SortedSet<TopicPartition> prev = before.get(e.getKey());
                if (prev == null || !prev.contains(tp)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    static void assertExactCover(Map<String, SortedSet<TopicPartition>> a, int partitions) {
        Set<TopicPartition> seen = new HashSet<>();
        a.values().forEach(s -> s.forEach(tp -> assertTrue(seen.add(tp), tp + " assigned twice")));
        assertEquals(partitions, seen.size());
    }

    @Test
    void evenStickyAndMinimalMovement() {
        var three = UniformStickyAssignor.assign(subs(List.of("t"), "a", "b", "c"), List.of(t), Map.of());
        assertExactCover(three, 10);
        assertEquals(List.of(4, 3, 3), three.values().stream().map(Set::size).toList());
        assertEquals(three, UniformStickyAssignor.assign(subs(List.of("t"), "a", "b", "c"), List.of(t), three), "stable");

        var four = UniformStickyAssignor.assign(subs(List.of("t"), "a", "b", "c", "d"), List.of(t), three);
        assertExactCover(four, 10);
        assertTrue(four.values().stream().allMatch(s -> s.size() == 2 || s.size() == 3));
        assertEquals(four.get("d").size(), moved(three, four), "only what d gets moves");

        var without = UniformStickyAssignor.assign(subs(List.of("t"), "a", "c", "d"), List.of(t), four);
        assertExactCover(without, 10);
        assertEquals(four.get("b").size(), moved(four, without), "only b's partitions move");
    }

    @Test
    void singlePartitionTopicsSpreadAcrossMembers() {
        var a = UniformStickyAssignor.assign(subs(List.of("u", "v"), "m1", "m2"), List.of(u, v), Map.of());
        assertEquals(1, a.get("m1").size());
        assertEquals(1, a.get("m2").size());
    }

    @Test
    void onlySubscribersGetATopic() {
        Map<String, List<String>> subs = new TreeMap<>(Map.of("a", List.of("t"), "b", List.of("u")));
        var a = UniformStickyAssignor.assign(subs, List.of(t, u), Map.of());
        assertEquals(10, a.get("a").size());
        assertEquals(Set.of(new TopicPartition(u.id(), 0)), a.get("b"));
        var none = UniformStickyAssignor.assign(new TreeMap<>(Map.of("a", List.of("gone"))), List.of(), Map.of());
        assertEquals(Set.of(), none.get("a"));
    }
}
