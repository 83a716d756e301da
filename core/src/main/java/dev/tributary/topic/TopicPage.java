package dev.tributary.topic;

import java.util.List;

/**
 * One page of a tenant's topics in name order.
 *
 * @param topics the topics of this page
 * @param nextAfter pass as {@code afterName} to get the next page; null when this was the last
 */
public record TopicPage(List<TopicMetadata> topics, String nextAfter) {}
