package dev.tributary.group;

import dev.tributary.group.GroupKeySpace.TopicSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Server-side assignor: each partition of each subscribed topic to exactly one subscriber, evenly
 * (per topic, every subscriber gets floor(n/k) or ceil(n/k) partitions), and sticky (a member keeps
 * what it had up to its new share, so a membership change moves only the partitions that must
 * move). Deterministic: the same input gives the same output on every pod.
 *
 * <p>Per topic: (1) keep each subscriber's previous partitions of the topic, the lowest numbers
 * first, capped at its share (ceil(n/k) for at most n%k members, preferring those that already had
 * more, else floor(n/k)); (2) hand out the rest, ascending, first to members below floor(n/k), then
 * one each to members at floor(n/k) while ceil slots remain; ties go to the member with the fewest
 * partitions across all topics so far, then the smallest id, which spreads the ceil slots of
 * different topics over different members.
 */
final class UniformStickyAssignor {
    private UniformStickyAssignor() {}

    static Map<String, SortedSet<TopicPartition>> assign(Map<String, List<String>> subscriptions, List<TopicSnapshot> topics,
            Map<String, ? extends SortedSet<TopicPartition>> previous) {
        Map<String, SortedSet<TopicPartition>> result = new TreeMap<>();
        Map<String, Integer> load = new HashMap<>();
        for (String member : subscriptions.keySet()) {
            result.put(member, new TreeSet<>());
            load.put(member, 0);
        }
        List<TopicSnapshot> ordered = new ArrayList<>(topics);
        ordered.sort(Comparator.comparing(TopicSnapshot::name));
        for (TopicSnapshot topic : ordered) {
            List<String> subscribers = new ArrayList<>();
            for (var e : new TreeMap<>(subscriptions).entrySet()) {
                if (e.getValue().contains(topic.name())) {
                    subscribers.add(e.getKey());
                }
            }
            if (subscribers.isEmpty()) {
                continue;
            }
            int n = topic.partitions();
            int base = n / subscribers.size();
            int extraSlots = n % subscribers.size();

            // (1) sticky: previous partitions of this topic, each claimed once.
            Map<String, List<Integer>> kept = new HashMap<>();
            boolean[] taken = new boolean[n];
            for (String m : subscribers) {
                List<Integer> mine = new ArrayList<>();
                SortedSet<TopicPartition> prev = previous.get(m);
                if (prev != null) {
                    for (TopicPartition tp : prev) {
                        if (tp.topicId().equals(topic.id()) && tp.partition() < n && !taken[tp.partition()]) {
                            taken[tp.partition()] = true;
                            mine.add(tp.partition());
                        }
                    }
                }
                kept.put(m, mine);
            }
            List<String> byKept = new ArrayList<>(subscribers);
            byKept.sort(Comparator.comparingInt((String m) -> -kept.get(m).size()).thenComparing(m -> m));
            for (String m : byKept) {
                List<Integer> mine = kept.get(m);
                int cap = base;
                if (extraSlots > 0 && mine.size() > base) {
                    cap = base + 1;
                    extraSlots--;
                }
                while (mine.size() > cap) {
                    taken[mine.remove(mine.size() - 1)] = false;
                }
            }
            // (2) the rest, to the least loaded eligible member.
            Map<String, Integer> count = new HashMap<>();
            for (String m : subscribers) {
                count.put(m, kept.get(m).size());
                load.merge(m, kept.get(m).size(), Integer::sum);
            }
            for (int p = 0; p < n; p++) {
                if (taken[p]) {
                    continue;
                }
                String best = null;
                for (String m : subscribers) {
                    if (count.get(m) < base && better(m, best, load)) {
                        best = m;
                    }
                }
                if (best == null) {
                    for (String m : subscribers) {
                        if (count.get(m) == base && better(m, best, load)) {
                            best = m;
                        }
                    }
                }
                if (best == null) {
                    throw new IllegalStateException("assignment of " + topic.name() + " has no slot for partition " + p);
                }
                kept.get(best).add(p);
                count.merge(best, 1, Integer::sum);
                load.merge(best, 1, Integer::sum);
                taken[p] = true;
            }
            for (String m : subscribers) {
                for (int p : kept.get(m)) {
                    result.get(m).add(new TopicPartition(topic.id(), p));
                }
            }
        }
        return result;
    }

    private static boolean better(String candidate, String best, Map<String, Integer> load) {
        if (best == null) {
            return true;
        }
        int c = load.get(candidate);
        int b = load.get(best);
        return c < b || (c == b && candidate.compareTo(best) < 0);
    }
}
