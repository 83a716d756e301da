package dev.tributary.client.internal.admin;

import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.AclBinding;
import dev.tributary.client.admin.AclFilter;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.ConsumerGroupDescription;
import dev.tributary.client.admin.ConsumerGroupListing;
import dev.tributary.client.admin.GroupOffset;
import dev.tributary.client.admin.IdentityPool;
import dev.tributary.client.admin.NewAcl;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.OffsetReset;
import dev.tributary.client.admin.Page;
import dev.tributary.client.admin.QuotaLimits;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.admin.ServiceAccountCredentials;
import dev.tributary.client.admin.Tenant;
import dev.tributary.client.admin.TenantQuota;
import dev.tributary.client.admin.TopicDescription;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.TokenSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Admin} over the REST control API: one class per concept ({@link RestTopics}, {@link
 * RestTenants}, ...) on the shared {@link RestCalls} (bearer token, problem+json errors as {@link
 * TributaryException}s with the problem's {@code code}, paging), all addressing one tenant.
 */
public final class RestAdmin implements Admin {
    private final RestCalls calls;
    private final TenantScope scope;
    private final RestTopics topics;
    private final RestTenants tenants;
    private final RestServiceAccounts serviceAccounts;
    private final RestAcls acls;
    private final RestQuotas quotas;
    private final RestIdentityPools identityPools;
    private final RestGroups groups;

    public RestAdmin(Connection connection) {
        this(connection, connection.tokens());
    }

    /**
     * An admin client that authenticates with {@code tokens} instead of the connection's own token
     * source (a tool that manages tokens itself, or a test that hands over a token known to be expired).
     */
    public RestAdmin(Connection connection, TokenSource tokens) {
        this(new RestCalls(connection, tokens), null);
    }

    private RestAdmin(RestCalls calls, String tenant) {
        this.calls = calls;
        this.scope = new TenantScope(calls, tenant);
        this.topics = new RestTopics(calls, scope);
        this.tenants = new RestTenants(calls);
        this.serviceAccounts = new RestServiceAccounts(calls, scope);
        this.acls = new RestAcls(calls, scope);
        this.quotas = new RestQuotas(calls, scope);
        this.identityPools = new RestIdentityPools(calls, scope);
        this.groups = new RestGroups(calls, scope);
    }

    /** The tenant named by {@link #forTenant}, else the profile's, else the tenant claim of this client's token. */
    @Override
    public CompletableFuture<String> tenant() {
        return scope.tenant();
    }

    @Override
    public Admin forTenant(String tenant) {
        // Checked here: a tenant id that cannot be a path segment would address another resource.
        RestCalls.pathSegment(tenant, "tenant", "INVALID_TENANT_ID");
        return new RestAdmin(calls, tenant);
    }

    // Topics

    @Override
    public CompletableFuture<TopicDescription> createTopic(NewTopic topic) {
        return topics.createTopic(topic);
    }

    @Override
    public CompletableFuture<List<TopicDescription>> listTopics() {
        return topics.listTopics();
    }

    @Override
    public CompletableFuture<TopicDescription> describeTopic(String name) {
        return topics.describeTopic(name);
    }

    @Override
    public CompletableFuture<TopicDescription> updateTopicConfig(String name, Map<String, String> set, Collection<String> reset,
            String ifMatch) {
        return topics.updateTopicConfig(name, set, reset, ifMatch);
    }

    @Override
    public CompletableFuture<TopicDescription> addPartitions(String name, int partitions) {
        return topics.addPartitions(name, partitions);
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return topics.deleteTopic(name);
    }

    // Tenants

    @Override
    public CompletableFuture<Tenant> createTenant(String id) {
        return tenants.createTenant(id);
    }

    @Override
    public CompletableFuture<List<Tenant>> listTenants() {
        return tenants.listTenants();
    }

    @Override
    public CompletableFuture<Page<Tenant>> listTenants(int pageSize, String pageToken) {
        return tenants.listTenants(pageSize, pageToken);
    }

    @Override
    public CompletableFuture<Tenant> describeTenant(String id) {
        return tenants.describeTenant(id);
    }

    @Override
    public CompletableFuture<Void> deleteTenant(String id) {
        return tenants.deleteTenant(id);
    }

    // Service accounts

    @Override
    public CompletableFuture<ServiceAccountCredentials> createServiceAccount(String name, String role) {
        return serviceAccounts.createServiceAccount(name, role);
    }

    @Override
    public CompletableFuture<List<ServiceAccount>> listServiceAccounts() {
        return serviceAccounts.listServiceAccounts();
    }

    @Override
    public CompletableFuture<Page<ServiceAccount>> listServiceAccounts(int pageSize, String pageToken) {
        return serviceAccounts.listServiceAccounts(pageSize, pageToken);
    }

    @Override
    public CompletableFuture<ServiceAccount> describeServiceAccount(String id) {
        return serviceAccounts.describeServiceAccount(id);
    }

    @Override
    public CompletableFuture<ServiceAccountCredentials> rotateSecret(String id) {
        return serviceAccounts.rotateSecret(id);
    }

    @Override
    public CompletableFuture<Void> deleteServiceAccount(String id) {
        return serviceAccounts.deleteServiceAccount(id);
    }

    // ACLs

    @Override
    public CompletableFuture<AclBinding> createAcl(NewAcl acl) {
        return acls.createAcl(acl);
    }

    @Override
    public CompletableFuture<List<AclBinding>> listAcls(AclFilter filter) {
        return acls.listAcls(filter);
    }

    @Override
    public CompletableFuture<Page<AclBinding>> listAcls(AclFilter filter, int pageSize, String pageToken) {
        return acls.listAcls(filter, pageSize, pageToken);
    }

    @Override
    public CompletableFuture<AclBinding> describeAcl(String id) {
        return acls.describeAcl(id);
    }

    @Override
    public CompletableFuture<Void> deleteAcl(String id) {
        return acls.deleteAcl(id);
    }

    // Quota

    @Override
    public CompletableFuture<TenantQuota> describeQuota() {
        return quotas.describeQuota();
    }

    @Override
    public CompletableFuture<TenantQuota> setQuota(QuotaLimits limits, String ifMatch) {
        return quotas.setQuota(limits, ifMatch);
    }

    @Override
    public CompletableFuture<Void> resetQuota() {
        return quotas.resetQuota();
    }

    // Identity pools

    @Override
    public CompletableFuture<IdentityPool> createIdentityPool(IdentityPool pool) {
        return identityPools.createIdentityPool(pool);
    }

    @Override
    public CompletableFuture<List<IdentityPool>> listIdentityPools() {
        return identityPools.listIdentityPools();
    }

    @Override
    public CompletableFuture<Page<IdentityPool>> listIdentityPools(int pageSize, String pageToken) {
        return identityPools.listIdentityPools(pageSize, pageToken);
    }

    @Override
    public CompletableFuture<IdentityPool> describeIdentityPool(String name) {
        return identityPools.describeIdentityPool(name);
    }

    @Override
    public CompletableFuture<IdentityPool> replaceIdentityPool(IdentityPool pool, String ifMatch) {
        return identityPools.replaceIdentityPool(pool, ifMatch);
    }

    @Override
    public CompletableFuture<Void> deleteIdentityPool(String name) {
        return identityPools.deleteIdentityPool(name);
    }

    // Consumer groups

    @Override
    public CompletableFuture<List<ConsumerGroupListing>> listGroups() {
        return groups.listGroups();
    }

    @Override
    public CompletableFuture<Page<ConsumerGroupListing>> listGroups(int pageSize, String pageToken) {
        return groups.listGroups(pageSize, pageToken);
    }

    @Override
    public CompletableFuture<ConsumerGroupDescription> describeGroup(String groupId) {
        return groups.describeGroup(groupId);
    }

    @Override
    public CompletableFuture<List<GroupOffset>> resetOffsets(String groupId, OffsetReset reset) {
        return groups.resetOffsets(groupId, reset);
    }

    @Override
    public CompletableFuture<Void> deleteGroup(String groupId) {
        return groups.deleteGroup(groupId);
    }
}
