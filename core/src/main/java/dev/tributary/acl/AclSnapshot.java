package dev.tributary.acl;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A tenant's bindings as of one read version, and (when asked for) a watch on the tenant's ACL
 * version key set up by that same read: it completes once anything has changed since, so a copy
 * kept until then is never stale by more than the watch's delivery.
 *
 * @param version the tenant's ACL version at the read (0 when it never had an ACL)
 * @param bindings every binding of the tenant at that version
 * @param changed completes (possibly exceptionally, e.g. when the store closes) once the version
 *     moved on; null if no watch was asked for. Cancel it to release the watch.
 */
public record AclSnapshot(String tenant, long version, List<AclBinding> bindings, CompletableFuture<Void> changed) {}
