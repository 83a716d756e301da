package dev.tributary.ownership;

import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.topic.TopicId;
import java.util.Comparator;

/** One partition of one topic of one tenant: the unit of ownership. */
public record PartitionRef(String tenant, TopicId topicId, int partition) implements Comparable<PartitionRef> {
    private static final Comparator<PartitionRef> ORDER = Comparator.comparing(PartitionRef::tenant)
            .thenComparing(r -> r.topicId().toString())
            .thenComparingInt(PartitionRef::partition);

    public PartitionRef {
        RootKeySpace.tenant(tenant); // validates the id
        if (topicId == null || partition < 0) {
            throw new IllegalArgumentException("a partition needs a topic id and a partition number >= 0");
        }
    }

    @Override
    public int compareTo(PartitionRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return tenant + "/" + topicId + "-" + partition;
    }
}
