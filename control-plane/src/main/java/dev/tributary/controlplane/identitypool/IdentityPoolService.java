package dev.tributary.controlplane.identitypool;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.VerifiedTokenCache;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.controlplane.storage.StoredJson;
import dev.tributary.controlplane.tenant.TenantService;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A tenant's identity pools in the store: the pool under the tenant's subspace and the
 * cluster-wide issuer index (an issuer belongs to at most one pool in the cluster, so a token's
 * {@code iss} names exactly one tenant). Both are written in one transaction, so the index never
 * names a pool that does not exist, nor misses one that does. Callers have checked authorization.
 *
 * <p>Every change takes effect on this node before it is answered: the registry forgets the
 * issuers involved and the tokens the pool verified are dropped from the verified-token cache, so
 * the next request is verified by the pool as it now is (or refused, once it is gone). Other nodes
 * see it within {@code tributary.auth.identity-pools.refresh-interval}.
 */
@Singleton
public class IdentityPoolService {
    /** Pools a tenant may have: each is an issuer every node may have to reach. */
    public static final int MAX_POOLS_PER_TENANT = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyValueStore store;
    private final IdentityPoolRegistry registry;
    private final VerifiedTokenCache verifiedTokens;

    IdentityPoolService(KeyValueStore store, IdentityPoolRegistry registry, VerifiedTokenCache verifiedTokens) {
        this.store = store;
        this.registry = registry;
        this.verifiedTokens = verifiedTokens;
    }

    public IdentityPool create(String tenant, IdentityPoolSpec spec) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        IdentityPool pool = pool(tenant, spec, now, now);
        store.run(tx -> {
            TenantService.requireExists(tx, tenant);
            if (tx.get(ControlPlaneKeys.identityPool(tenant, spec.name())).join() != null) {
                throw ProblemException.conflict(ErrorCodes.IDENTITY_POOL_ALREADY_EXISTS,
                        "tenant '" + tenant + "' has an identity pool '" + spec.name() + "' already");
            }
            requireIssuerFree(tx, tenant, spec.name(), spec.issuer());
            byte[] pools = ControlPlaneKeys.identityPools(tenant).pack();
            if (tx.getRange(pools, Keys.prefixEnd(pools), MAX_POOLS_PER_TENANT, false).join().size() >= MAX_POOLS_PER_TENANT) {
                throw ProblemException.conflict(ErrorCodes.IDENTITY_POOL_LIMIT_EXCEEDED,
                        "tenant '" + tenant + "' has " + MAX_POOLS_PER_TENANT + " identity pools, as many as a tenant may have");
            }
            write(tx, pool);
            return null;
        });
        registry.forget(pool.issuer());
        return pool;
    }

    public IdentityPool get(String tenant, String name) {
        IdentityPool pool = store.read(tx -> {
            TenantService.requireExists(tx, tenant);
            return find(tx, tenant, name);
        });
        if (pool == null) {
            throw notFound(tenant, name);
        }
        return pool;
    }

    public Page<IdentityPool.View> list(String tenant, PageRequest page) {
        var pools = ControlPlaneKeys.identityPools(tenant);
        byte[] begin = page.after() == null ? pools.range().begin : Keys.keyAfter(pools.pack(Tuple.from(page.after())));
        List<KeyValue> rows = store.read(tx -> {
            TenantService.requireExists(tx, tenant);
            return tx.getRange(begin, pools.range().end, page.pageSize() + 1, false).join();
        });
        List<IdentityPool.View> items = new ArrayList<>();
        for (KeyValue row : rows.subList(0, Math.min(rows.size(), page.pageSize()))) {
            items.add(StoredJson.read(row.value(), IdentityPool.class).view());
        }
        String next = rows.size() > page.pageSize() ? PageRequest.tokenAfter(items.get(items.size() - 1).id()) : null;
        return new Page<>(items, next);
    }

    /**
     * Replaces the pool with {@code spec} (a new issuer moves its index entry), if it exists and, when
     * {@code ifMatch} is given, is still that version (412 PRECONDITION_FAILED otherwise).
     */
    public IdentityPool replace(String tenant, String name, IdentityPoolSpec spec, String ifMatch) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String version = newVersion();
        IdentityPool[] previous = new IdentityPool[1];
        IdentityPool replaced = store.run(tx -> {
            TenantService.requireExists(tx, tenant);
            IdentityPool current = find(tx, tenant, name);
            if (current == null) {
                throw notFound(tenant, name);
            }
            if (ifMatch != null && !ifMatch.trim().equals("*") && !ifMatch.trim().equals(current.etag())) {
                throw new ProblemException(412, ErrorCodes.PRECONDITION_FAILED, "identity pool '" + name
                        + "' changed since it was read (If-Match " + ifMatch.trim() + ", now " + current.etag() + ")");
            }
            if (!current.issuer().equals(spec.issuer())) {
                requireIssuerFree(tx, tenant, name, spec.issuer());
                tx.clear(ControlPlaneKeys.identityPoolIssuer(current.issuer()));
            }
            IdentityPool updated = new IdentityPool(tenant, name, spec.issuer(), spec.audience(), spec.principalClaim(),
                    spec.adminClaim(), spec.adminValues(), spec.jwksUri(), spec.issuerCaPem(), current.createdAt(), now, version);
            write(tx, updated);
            previous[0] = current;
            return updated;
        });
        registry.forget(previous[0].issuer(), replaced.issuer());
        // Tokens it verified were checked against what it was: from now on, what it is.
        verifiedTokens.invalidatePool(tenant, name);
        return replaced;
    }

    public void delete(String tenant, String name) {
        IdentityPool deleted = store.run(tx -> {
            TenantService.requireExists(tx, tenant);
            IdentityPool pool = find(tx, tenant, name);
            if (pool == null) {
                throw notFound(tenant, name);
            }
            tx.clear(ControlPlaneKeys.identityPool(tenant, name));
            tx.clear(ControlPlaneKeys.identityPoolIssuer(pool.issuer()));
            return pool;
        });
        registry.forget(deleted.issuer());
        // Its tokens stop working on this node at once (other nodes: within the refresh interval).
        verifiedTokens.invalidatePool(tenant, name);
    }

    /**
     * Clears the issuer index entries of every pool of {@code tenant}, in the transaction that
     * deletes the tenant (which clears the pools themselves with its subspace). The caller tells
     * the registry ({@link IdentityPoolRegistry#forgetTenant}) once it has committed.
     */
    public static void clearIssuerIndex(Transaction tx, String tenant) {
        for (KeyValue row : tx.getRangeStartsWith(ControlPlaneKeys.identityPools(tenant).pack()).join()) {
            IdentityPool pool = StoredJson.read(row.value(), IdentityPool.class);
            tx.clear(ControlPlaneKeys.identityPoolIssuer(pool.issuer()));
        }
    }

    private static IdentityPool pool(String tenant, IdentityPoolSpec spec, Instant createdAt, Instant updatedAt) {
        return new IdentityPool(tenant, spec.name(), spec.issuer(), spec.audience(), spec.principalClaim(), spec.adminClaim(),
                spec.adminValues(), spec.jwksUri(), spec.issuerCaPem(), createdAt, updatedAt, newVersion());
    }

    /**
     * 409 ISSUER_ALREADY_REGISTERED if another pool has {@code issuer}. Which pool is told only
     * within the tenant: another tenant's pools are none of the caller's business.
     */
    private static void requireIssuerFree(ReadTransaction tx, String tenant, String name, String issuer) {
        byte[] owner = tx.get(ControlPlaneKeys.identityPoolIssuer(issuer)).join();
        if (owner == null) {
            return;
        }
        Tuple key = Tuple.fromBytes(owner);
        if (tenant.equals(key.getString(0)) && name.equals(key.getString(1))) {
            return;
        }
        throw ProblemException.conflict(ErrorCodes.ISSUER_ALREADY_REGISTERED, "issuer " + issuer + " belongs to "
                + (tenant.equals(key.getString(0)) ? "identity pool '" + key.getString(1) + "' of this tenant" : "another tenant")
                + " already: an issuer can be the identity pool of one tenant only");
    }

    private static void write(Transaction tx, IdentityPool pool) {
        tx.set(ControlPlaneKeys.identityPool(pool.tenant(), pool.name()), StoredJson.write(pool));
        tx.set(ControlPlaneKeys.identityPoolIssuer(pool.issuer()), Tuple.from(pool.tenant(), pool.name()).pack());
    }

    private static IdentityPool find(ReadTransaction tx, String tenant, String name) {
        if (!IdentityPoolSpec.NAME.matcher(name).matches()) {
            return null; // no such key can exist; and a malformed name must not reach the tuple layer unchecked
        }
        byte[] value = tx.get(ControlPlaneKeys.identityPool(tenant, name)).join();
        return value == null ? null : StoredJson.read(value, IdentityPool.class);
    }

    private static String newVersion() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static ProblemException notFound(String tenant, String name) {
        return ProblemException.notFound(ErrorCodes.IDENTITY_POOL_NOT_FOUND,
                "tenant '" + tenant + "' has no identity pool '" + name + "'");
    }
}
