package dev.tributary.acl;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;

/**
 * Every key the ACL layer writes, all under the tenant's subspace {@code T = ("t", tenantId)}, so
 * that deleting a tenant (one range clear of T) deletes its ACLs too:
 *
 * <pre>
 * T + ("acl", "b", id)   a binding: tuple (1, principal, operation, resourceType, patternType,
 *                        resourceName, permission), every enum by its wire name; id = AclBinding.id()
 * T + ("acl", "n")       how many bindings the tenant has, int64 little-endian (absent = 0)
 * T + ("acl", "v")       version of the tenant's ACLs, int64 little-endian (absent = 0): every
 *                        transaction that changes a binding ADDs 1 to it, and every node's
 *                        AclAuthorizer watches it to drop its cached copy
 * </pre>
 *
 * <p>Bindings are keyed by id, so a duplicate is one point read and listing pages through them in
 * id order. The version is changed with an atomic ADD: writers never read it, so concurrent ACL
 * changes do not conflict on it, and since it only grows a watch can never miss a change that was
 * undone (no A-B-A).
 */
public final class AclKeySpace {
    static final long FORMAT = 1;

    private AclKeySpace() {}

    private static Subspace acls(String tenant) {
        return RootKeySpace.tenant(tenant).get("acl");
    }

    /** The subspace of a tenant's bindings, in id order. */
    public static Subspace bindings(String tenant) {
        return acls(tenant).get("b");
    }

    public static byte[] binding(String tenant, String id) {
        return bindings(tenant).pack(Tuple.from(id));
    }

    public static byte[] count(String tenant) {
        return acls(tenant).pack(Tuple.from("n"));
    }

    /** The key every ACL change of the tenant ADDs 1 to: the one key caches watch. */
    public static byte[] version(String tenant) {
        return acls(tenant).pack(Tuple.from("v"));
    }

    static byte[] encode(AclBinding binding) {
        return Tuple.from(FORMAT).addAll(binding.canonical()).pack();
    }

    static AclBinding decode(byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        long format = t.getLong(0);
        if (format != FORMAT) {
            throw new IllegalStateException("ACL binding of format " + format + " (this version reads " + FORMAT + ")");
        }
        return new AclBinding(t.getString(1), AclOperation.fromWire(t.getString(2)), AclResourceType.fromWire(t.getString(3)),
                AclPatternType.fromWire(t.getString(4)), t.getString(5), AclPermission.fromWire(t.getString(6)));
    }
}
