package dev.tributary.client.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ACL bindings of the admin client's tenant ({@code /v1/tenants/{tenant}/acls}); its tenant
 * administrators and platform administrators only. Errors: INVALID_ACL (the message names the
 * field), ACL_ALREADY_EXISTS, ACL_NOT_FOUND, TENANT_NOT_FOUND, FORBIDDEN.
 */
public interface AclAdmin {
    /** Creates a binding; the same six fields again fail with ACL_ALREADY_EXISTS. */
    CompletableFuture<AclBinding> createAcl(NewAcl acl);

    /** Every binding that matches {@code filter} (all pages). */
    CompletableFuture<List<AclBinding>> listAcls(AclFilter filter);

    /** One page of at most {@code pageSize} matching bindings (1 to 1000) after {@code pageToken} (null: the first page). */
    CompletableFuture<Page<AclBinding>> listAcls(AclFilter filter, int pageSize, String pageToken);

    CompletableFuture<AclBinding> describeAcl(String id);

    CompletableFuture<Void> deleteAcl(String id);
}
