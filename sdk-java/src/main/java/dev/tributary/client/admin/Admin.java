package dev.tributary.client.admin;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The REST control API ({@code /v1/...}): tenants (platform administrators), and the topics,
 * service accounts, ACLs, quota, identity pools and consumer groups of one tenant
 * ({@code /v1/tenants/{tenant}/...}): the profile's {@code tributary.tenant}, else the tenant of the
 * caller's token; {@link #forTenant} addresses another. Each concept has its own small interface,
 * all of which this one extends. Futures fail with a {@link dev.tributary.client.TributaryException}
 * carrying the problem's {@code code} (e.g. TOPIC_ALREADY_EXISTS, UNKNOWN_TOPIC, FORBIDDEN,
 * PRECONDITION_FAILED) and the HTTP status in {@code metadata().get("http_status")}.
 */
public interface Admin extends TenantAdmin, ServiceAccountAdmin, AclAdmin, QuotaAdmin, IdentityPoolAdmin, GroupAdmin {
    /** The tenant this admin client addresses (may need a token to tell). */
    CompletableFuture<String> tenant();

    /**
     * An admin client over the same connection and token addressing {@code tenant} (a platform
     * administrator managing several tenants). Tenant-independent calls ({@link TenantAdmin}) are the same.
     */
    Admin forTenant(String tenant);

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
