package dev.tributary.controlplane.storage;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;

/**
 * Every key the control plane writes, in one place (tuple-encoded, values JSON unless noted):
 *
 * <pre>
 * ("c", "tenant", tenantId)            tenant record
 * ("c", "issuer", "key", kid)          token-signing key (private and public), see SigningKey.Stored
 * ("c", "issuer", "active")            kid of the key that signs new tokens (UTF-8)
 * ("c", "client", clientId)            client-id index: tuple (tenantId or "" for cluster scope, service-account id)
 * ("c", "sa", id)                      cluster-scoped service account (platform administrators)
 * ("c", "sa-name", name)               its name, unique in the cluster scope: the id (UTF-8)
 * ("c", "bootstrap-admin")             id of the bootstrap platform administrator (UTF-8)
 * ("c", "bootstrap-tenant-admin")      tuple (tenant, id) of the default tenant's administrator made by the first start
 * ("t", tenantId, "sa", id)            a tenant's service account
 * ("t", tenantId, "sa-name", name)     its name, unique in the tenant: the id (UTF-8)
 * ("t", tenantId, "ip", name)          a tenant's identity pool (an external OIDC issuer), see IdentityPool
 * ("c", "ip-issuer", issuer)           issuer index: tuple (tenantId, pool name); an issuer belongs to one pool in the cluster
 * </pre>
 *
 * <p>A tenant's service accounts live in its subspace, so deleting a tenant is one range clear
 * (plus its client-id index entries, which are cluster-wide because the token endpoint looks a
 * client up before it knows the tenant). The same holds for its identity pools' issuer index
 * entries: a token is matched to its pool by its {@code iss} before its tenant is known.
 */
public final class ControlPlaneKeys {
    private static final Subspace CLUSTER = RootKeySpace.cluster();
    private static final Subspace TENANTS = CLUSTER.get("tenant");
    private static final Subspace ISSUER_KEYS = CLUSTER.get("issuer").get("key");
    private static final byte[] ACTIVE_SIGNING_KEY = CLUSTER.get("issuer").pack(Tuple.from("active"));
    private static final Subspace CLIENTS = CLUSTER.get("client");
    private static final byte[] BOOTSTRAP_ADMIN = CLUSTER.pack(Tuple.from("bootstrap-admin"));
    private static final byte[] BOOTSTRAP_TENANT_ADMIN = CLUSTER.pack(Tuple.from("bootstrap-tenant-admin"));
    private static final Subspace POOL_ISSUERS = CLUSTER.get("ip-issuer");

    /** Scope name of cluster-scoped principals in the client index. */
    public static final String CLUSTER_SCOPE = "";

    private ControlPlaneKeys() {}

    public static Subspace tenants() {
        return TENANTS;
    }

    public static byte[] tenant(String tenantId) {
        return TENANTS.pack(Tuple.from(tenantId));
    }

    public static Subspace signingKeys() {
        return ISSUER_KEYS;
    }

    public static byte[] signingKey(String kid) {
        return ISSUER_KEYS.pack(Tuple.from(kid));
    }

    public static byte[] activeSigningKey() {
        return ACTIVE_SIGNING_KEY.clone();
    }

    public static byte[] client(String clientId) {
        return CLIENTS.pack(Tuple.from(clientId));
    }

    public static byte[] bootstrapAdmin() {
        return BOOTSTRAP_ADMIN.clone();
    }

    public static byte[] bootstrapTenantAdmin() {
        return BOOTSTRAP_TENANT_ADMIN.clone();
    }

    /** Subspace holding a scope's service accounts; {@code tenantId} null or "" for the cluster scope. */
    public static Subspace serviceAccounts(String tenantId) {
        return scope(tenantId).get("sa");
    }

    public static Subspace serviceAccountNames(String tenantId) {
        return scope(tenantId).get("sa-name");
    }

    /** Subspace holding a tenant's identity pools, by name. */
    public static Subspace identityPools(String tenantId) {
        return RootKeySpace.tenant(tenantId).get("ip");
    }

    public static byte[] identityPool(String tenantId, String name) {
        return identityPools(tenantId).pack(Tuple.from(name));
    }

    /** The issuer index entry of {@code issuer} (exactly the {@code iss} its tokens carry). */
    public static byte[] identityPoolIssuer(String issuer) {
        return POOL_ISSUERS.pack(Tuple.from(issuer));
    }

    private static Subspace scope(String tenantId) {
        return tenantId == null || tenantId.isEmpty() ? CLUSTER : RootKeySpace.tenant(tenantId);
    }
}
