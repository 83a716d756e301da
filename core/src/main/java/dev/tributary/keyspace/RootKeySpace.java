package dev.tributary.keyspace;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import java.util.regex.Pattern;

/**
 * The top of Tributary's key space. Every key a layer writes starts with one of these subspaces, so
 * that one range read or clear covers exactly one tenant, and cluster-wide state can never be
 * mistaken for a tenant's:
 *
 * <pre>
 * ("c", ...)             cluster-wide: tenants registry, token-signing keys, data-plane pods, ...
 * ("t", tenantId, ...)   one tenant: topics, partitions, groups, principals, ACLs, quotas, schemas
 * </pre>
 *
 * <p>Prefixes are one character because they are repeated in every key.
 */
public final class RootKeySpace {
    /** Tenant ids: lowercase letters, digits and '-', 1 to 63 characters, starting with a letter (DNS-label-like). */
    public static final Pattern TENANT_ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    private static final Subspace CLUSTER = new Subspace(Tuple.from("c"));
    private static final Subspace TENANTS = new Subspace(Tuple.from("t"));

    private RootKeySpace() {}

    /** Cluster-wide state. */
    public static Subspace cluster() {
        return CLUSTER;
    }

    /** One tenant's subspace; the id must be valid (see {@link #TENANT_ID}). */
    public static Subspace tenant(String tenantId) {
        if (tenantId == null || !TENANT_ID.matcher(tenantId).matches()) {
            throw new IllegalArgumentException("invalid tenant id '" + tenantId
                    + "': lowercase letters, digits and '-', 1 to 63 characters, starting with a letter");
        }
        return TENANTS.get(tenantId);
    }
}
