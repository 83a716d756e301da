package dev.tributary.topic;

/**
 * How many topics a tenant has, and how many partitions over all of them: what the count quotas
 * limit. Kept by {@link TopicStore} in the tenant's {@code T + ("tc")} key, updated in the
 * transaction of every create, partition increase and delete.
 */
public record TopicCounts(long topics, long partitions) {
    public static final TopicCounts NONE = new TopicCounts(0, 0);

    public TopicCounts plus(long topics, long partitions) {
        return new TopicCounts(this.topics + topics, this.partitions + partitions);
    }
}
