package dev.tributary.client.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The consumer groups of the admin client's tenant ({@code /v1/tenants/{tenant}/groups}). Tenant
 * administrators may do everything; other principals what the ACLs on the group allow (describe
 * to see it, read to reset its offsets, delete to delete it). Errors: GROUP_NOT_FOUND,
 * GROUP_NOT_EMPTY (reset and delete need a group without members), INVALID_GROUP_ID,
 * TENANT_NOT_FOUND, FORBIDDEN.
 */
public interface GroupAdmin {
    /** Every group of the tenant (all pages), by id. */
    CompletableFuture<List<ConsumerGroupListing>> listGroups();

    /** One page of at most {@code pageSize} groups (1 to 1000) after {@code pageToken} (null: the first page). */
    CompletableFuture<Page<ConsumerGroupListing>> listGroups(int pageSize, String pageToken);

    /** Members, assignments, and committed offset and lag per partition. */
    CompletableFuture<ConsumerGroupDescription> describeGroup(String groupId);

    /** Moves the committed offsets of an empty group; completes with the new offsets. */
    CompletableFuture<List<GroupOffset>> resetOffsets(String groupId, OffsetReset reset);

    /** Deletes an empty group and its committed offsets. */
    CompletableFuture<Void> deleteGroup(String groupId);
}
