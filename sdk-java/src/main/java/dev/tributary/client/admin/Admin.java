package dev.tributary.client.admin;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Manages the topics of one tenant through the REST control API ({@code /v1/tenants/{tenant}/...}):
 * the profile's {@code tributary.tenant}, else the tenant of the caller's token. Futures fail with a
 * {@link dev.tributary.client.TributaryException} carrying the problem's {@code code} (e.g.
 * TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC, FORBIDDEN, PRECONDITION_FAILED).
 */
public interface Admin {
    /** The tenant this admin client addresses (may need a token to tell). */
    CompletableFuture<String> tenant();

    CompletableFuture<TopicDescription> createTopic(NewTopic topic);

    /** Every topic of the tenant (all pages), by name. */
    CompletableFuture<List<TopicDescription>> listTopics();

    /** One topic with its partition offsets and etag. */
    CompletableFuture<TopicDescription> describeTopic(String name);

    /**
     * Sets and resets settings of a topic. With a non-null {@code ifMatch} (an etag from describe)
     * the update applies only if nobody changed the topic since (else PRECONDITION_FAILED).
     */
    CompletableFuture<TopicDescription> updateTopicConfig(String name, Map<String, String> set, Collection<String> reset, String ifMatch);

    /** Raises the partition count to {@code partitions}. */
    CompletableFuture<TopicDescription> addPartitions(String name, int partitions);

    CompletableFuture<Void> deleteTopic(String name);
}
