package dev.tributary.controlplane.tenant;

import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.identitypool.IdentityPoolRegistry;
import dev.tributary.controlplane.identitypool.IdentityPoolService;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.VerifiedTokenCache;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.controlplane.storage.StoredJson;
import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The tenant registry. Callers have checked authorization (platform administrators only). */
@Singleton
public class TenantService {
    private final KeyValueStore store;
    private final VerifiedTokenCache verifiedTokens;
    private final IdentityPoolRegistry identityPools;

    TenantService(KeyValueStore store, VerifiedTokenCache verifiedTokens, IdentityPoolRegistry identityPools) {
        this.store = store;
        this.verifiedTokens = verifiedTokens;
        this.identityPools = identityPools;
    }

    public Tenant create(String id) {
        validateId(id);
        Tenant tenant = new Tenant(id, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        return store.run(tx -> {
            if (tx.get(ControlPlaneKeys.tenant(id)).join() != null) {
                throw ProblemException.conflict(ErrorCodes.TENANT_ALREADY_EXISTS, "tenant '" + id + "' already exists");
            }
            tx.set(ControlPlaneKeys.tenant(id), StoredJson.write(tenant));
            return tenant;
        });
    }

    /** Creates the tenant in {@code tx} unless it exists (bootstrap of the default tenant). */
    public static void createIfAbsent(Transaction tx, String id, Instant createdAt) {
        validateId(id);
        if (tx.get(ControlPlaneKeys.tenant(id)).join() == null) {
            tx.set(ControlPlaneKeys.tenant(id), StoredJson.write(new Tenant(id, createdAt)));
        }
    }

    public Tenant get(String id) {
        validateId(id);
        Tenant tenant = store.read(tx -> find(tx, id));
        if (tenant == null) {
            throw notFound(id);
        }
        return tenant;
    }

    /** Fails with TENANT_NOT_FOUND unless the tenant exists; adds a read conflict so that a concurrent delete aborts the caller's transaction. */
    public static void requireExists(ReadTransaction tx, String id) {
        if (find(tx, id) == null) {
            throw notFound(id);
        }
    }

    public Page<Tenant> list(PageRequest page) {
        byte[] begin = page.after() == null ? ControlPlaneKeys.tenants().range().begin
                : Keys.keyAfter(ControlPlaneKeys.tenant(page.after()));
        byte[] end = ControlPlaneKeys.tenants().range().end;
        List<KeyValue> rows = store.read(tx -> tx.getRange(begin, end, page.pageSize() + 1, false).join());
        List<Tenant> items = new ArrayList<>();
        for (KeyValue row : rows.subList(0, Math.min(rows.size(), page.pageSize()))) {
            items.add(StoredJson.read(row.value(), Tenant.class));
        }
        String next = rows.size() > page.pageSize() ? PageRequest.tokenAfter(items.get(items.size() - 1).id()) : null;
        return new Page<>(items, next);
    }

    /**
     * Deletes the tenant and everything it owns: its subspace, the cluster-wide client-id index
     * entries of its service accounts (their tokens stop working at once: see CallerResolver), and
     * the cluster-wide issuer index entries of its identity pools (their issuers are free again, and
     * their tokens name no tenant any more).
     */
    public void delete(String id) {
        validateId(id);
        store.run(tx -> {
            if (find(tx, id) == null) {
                throw notFound(id);
            }
            for (KeyValue account : tx.getRangeStartsWith(ControlPlaneKeys.serviceAccounts(id).pack()).join()) {
                String accountId = ControlPlaneKeys.serviceAccounts(id).unpack(account.key()).getString(0);
                tx.clear(ControlPlaneKeys.client(accountId));
            }
            IdentityPoolService.clearIssuerIndex(tx, id);
            byte[] subspace = RootKeySpace.tenant(id).pack();
            tx.clearRange(subspace, Keys.prefixEnd(subspace));
            tx.clear(ControlPlaneKeys.tenant(id));
            return null;
        });
        // Its principals' tokens stop working on this node at once (other nodes: see VerifiedTokenCache).
        identityPools.forgetTenant(id);
        verifiedTokens.invalidateTenant(id);
    }

    private static Tenant find(ReadTransaction tx, String id) {
        byte[] value = tx.get(ControlPlaneKeys.tenant(id)).join();
        return value == null ? null : StoredJson.read(value, Tenant.class);
    }

    /** Rejects ids that RootKeySpace would refuse, with the rules in the message. */
    public static void validateId(String id) {
        if (id == null || !RootKeySpace.TENANT_ID.matcher(id).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_TENANT_ID, "invalid tenant id '" + (id == null ? "" : id)
                    + "': lowercase letters, digits and '-', 1 to 63 characters, starting with a letter");
        }
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound(ErrorCodes.TENANT_NOT_FOUND, "tenant '" + id + "' does not exist");
    }

}
