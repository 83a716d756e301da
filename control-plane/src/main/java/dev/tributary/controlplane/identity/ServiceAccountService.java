package dev.tributary.controlplane.identity;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.security.Roles;
import dev.tributary.controlplane.security.VerifiedTokenCache;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.controlplane.storage.StoredJson;
import dev.tributary.controlplane.tenant.TenantService;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Service accounts of a tenant (and the cluster-scoped platform administrators), their secrets,
 * and client authentication for the token endpoint. Callers have checked authorization.
 */
@Singleton
public class ServiceAccountService {
    /** Names: like tenant ids, lowercase letters, digits and '-', 1 to 63 characters, starting with a letter. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern ID = Pattern.compile("sa-[a-z2-7]{20}");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyValueStore store;
    private final SecretHasher hasher;
    private final VerifiedTokenCache verifiedTokens;

    @Inject
    ServiceAccountService(KeyValueStore store, AuthConfig config, VerifiedTokenCache verifiedTokens) {
        this(store, new SecretHasher(config.secretHashIterations()), verifiedTokens);
    }

    ServiceAccountService(KeyValueStore store, SecretHasher hasher, VerifiedTokenCache verifiedTokens) {
        this.store = store;
        this.hasher = hasher;
        this.verifiedTokens = verifiedTokens;
    }

    /** Creates an account in {@code tenant} (null: cluster scope); the answer carries the secret, shown only this once. */
    public ServiceAccount.WithSecret create(String tenant, String name, String role) {
        validateName(name);
        if (tenant == null ? !Roles.PLATFORM_ADMIN.equals(role) : role == null || !Roles.TENANT_ROLES.contains(role)) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_ROLE, "role must be one of "
                    + (tenant == null ? "[" + Roles.PLATFORM_ADMIN + "]" : "[" + Roles.TENANT_ADMIN + ", " + Roles.MEMBER + "]")
                    + ", was '" + (role == null ? "" : role) + "'");
        }
        // Randomness and hashing outside the transaction body, which may run more than once.
        String secret = SecretHasher.newSecret();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ServiceAccount account = new ServiceAccount(newId(), tenant, name, role, now, now, hasher.hash(secret));
        store.run(tx -> {
            if (tenant != null) {
                TenantService.requireExists(tx, tenant);
            }
            insert(tx, account);
            return null;
        });
        return ServiceAccount.WithSecret.of(account, secret);
    }

    public ServiceAccount get(String tenant, String id) {
        ServiceAccount account = store.read(tx -> {
            if (tenant != null) {
                TenantService.requireExists(tx, tenant);
            }
            return find(tx, tenant, id);
        });
        if (account == null) {
            throw notFound(tenant, id);
        }
        return account;
    }

    public Page<ServiceAccount.View> list(String tenant, PageRequest page) {
        var accounts = ControlPlaneKeys.serviceAccounts(tenant);
        byte[] begin = page.after() == null ? accounts.range().begin : Keys.keyAfter(accounts.pack(Tuple.from(page.after())));
        List<KeyValue> rows = store.read(tx -> {
            if (tenant != null) {
                TenantService.requireExists(tx, tenant);
            }
            return tx.getRange(begin, accounts.range().end, page.pageSize() + 1, false).join();
        });
        List<ServiceAccount.View> items = new ArrayList<>();
        for (KeyValue row : rows.subList(0, Math.min(rows.size(), page.pageSize()))) {
            items.add(StoredJson.read(row.value(), ServiceAccount.class).view());
        }
        String next = rows.size() > page.pageSize() ? PageRequest.tokenAfter(items.get(items.size() - 1).id()) : null;
        return new Page<>(items, next);
    }

    /** A new secret; the old one stops working at once (tokens already issued stay valid until they expire). */
    public ServiceAccount.WithSecret rotateSecret(String tenant, String id) {
        String secret = SecretHasher.newSecret();
        String hash = hasher.hash(secret);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ServiceAccount rotated = store.run(tx -> {
            if (tenant != null) {
                TenantService.requireExists(tx, tenant);
            }
            ServiceAccount account = find(tx, tenant, id);
            if (account == null) {
                throw notFound(tenant, id);
            }
            ServiceAccount updated = account.withSecretHash(hash, now);
            tx.set(ControlPlaneKeys.serviceAccounts(tenant).pack(Tuple.from(id)), StoredJson.write(updated));
            return updated;
        });
        return ServiceAccount.WithSecret.of(rotated, secret);
    }

    public void delete(String tenant, String id) {
        store.run(tx -> {
            if (tenant != null) {
                TenantService.requireExists(tx, tenant);
            }
            ServiceAccount account = find(tx, tenant, id);
            if (account == null) {
                throw notFound(tenant, id);
            }
            tx.clear(ControlPlaneKeys.serviceAccounts(tenant).pack(Tuple.from(id)));
            tx.clear(ControlPlaneKeys.serviceAccountNames(tenant).pack(Tuple.from(account.name())));
            tx.clear(ControlPlaneKeys.client(id));
            return null;
        });
        // Its tokens stop working on this node at once (other nodes: see VerifiedTokenCache).
        verifiedTokens.invalidatePrincipal(id);
    }

    /**
     * The account whose client credentials these are, or empty. Unknown client ids cost the same
     * hashing work as wrong secrets, so the two cannot be told apart by timing.
     */
    public Optional<ServiceAccount> authenticate(String clientId, String secret) {
        ServiceAccount account = ID.matcher(clientId).matches() ? store.read(tx -> findByClientId(tx, clientId)) : null;
        if (account == null) {
            hasher.verifyNothing(secret);
            return Optional.empty();
        }
        return hasher.verify(secret, account.secretHash()) ? Optional.of(account) : Optional.empty();
    }

    /** Whether the principal still exists: a deleted account's (or deleted tenant's) tokens are refused before they expire. */
    public boolean exists(String clientId) {
        return ID.matcher(clientId).matches() && store.read(tx -> tx.get(ControlPlaneKeys.client(clientId)).join() != null);
    }

    /**
     * The bootstrap platform administrator, created on first start. {@code knownSecret} is the
     * secret the caller holds (from the connection profile); it is kept if it still matches, else,
     * or when {@code resetSecret}, a new one is set.
     *
     * @return the account and its secret; the secret is null when the account existed, {@code
     *     knownSecret} did not match and no reset was asked for (the secret is then unknown here)
     */
    public Bootstrap ensureBootstrapAdministrator(String knownSecret, boolean resetSecret) {
        String existingId = store.read(tx -> {
            byte[] id = tx.get(ControlPlaneKeys.bootstrapAdmin()).join();
            return id == null ? null : new String(id, StandardCharsets.UTF_8);
        });
        ServiceAccount existing = existingId == null ? null : store.read(tx -> find(tx, null, existingId));
        if (existing == null) {
            String secret = SecretHasher.newSecret();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            ServiceAccount fresh = new ServiceAccount(newId(), null, "bootstrap-admin", Roles.PLATFORM_ADMIN, now, now, hasher.hash(secret));
            ServiceAccount winner = store.run(tx -> {
                byte[] id = tx.get(ControlPlaneKeys.bootstrapAdmin()).join();
                if (id != null) {
                    ServiceAccount other = find(tx, null, new String(id, StandardCharsets.UTF_8));
                    if (other != null) {
                        return other; // another pod created it meanwhile
                    }
                }
                // A deleted bootstrap account frees its name for the new one.
                byte[] nameKey = ControlPlaneKeys.serviceAccountNames(null).pack(Tuple.from(fresh.name()));
                byte[] nameOwner = tx.get(nameKey).join();
                if (nameOwner != null) {
                    tx.clear(ControlPlaneKeys.serviceAccounts(null).pack(Tuple.from(new String(nameOwner, StandardCharsets.UTF_8))));
                    tx.clear(ControlPlaneKeys.client(new String(nameOwner, StandardCharsets.UTF_8)));
                    tx.clear(nameKey);
                }
                insert(tx, fresh);
                tx.set(ControlPlaneKeys.bootstrapAdmin(), fresh.id().getBytes(StandardCharsets.UTF_8));
                return fresh;
            });
            return winner == fresh ? new Bootstrap(fresh, secret, Bootstrap.Outcome.CREATED) : bootstrapWith(winner, knownSecret, resetSecret);
        }
        return bootstrapWith(existing, knownSecret, resetSecret);
    }

    private Bootstrap bootstrapWith(ServiceAccount account, String knownSecret, boolean resetSecret) {
        if (!resetSecret && knownSecret != null && hasher.verify(knownSecret, account.secretHash())) {
            return new Bootstrap(account, knownSecret, Bootstrap.Outcome.KEPT);
        }
        if (resetSecret) {
            ServiceAccount.WithSecret rotated = rotateSecret(account.tenant(), account.id());
            return new Bootstrap(get(account.tenant(), account.id()), rotated.clientSecret(), Bootstrap.Outcome.RESET);
        }
        return new Bootstrap(account, null, Bootstrap.Outcome.SECRET_UNKNOWN);
    }

    /** Name of the default tenant's administrator that the first start creates. */
    public static final String DEFAULT_TENANT_ADMIN_NAME = "default-admin";

    /**
     * The default tenant and its administrator (a tenant-admin service account), so that a fresh
     * standalone server can be used at once without setting up a tenant. Created once, on the
     * first start that asks for it: a later start never recreates them after an operator deleted
     * either (it answers empty then), since a deleted tenant must stay deleted.
     *
     * @return the account and its secret (null when unknown here, as for the platform
     *     administrator), or empty when it was created once and deleted since
     */
    public Optional<Bootstrap> ensureDefaultTenantAdministrator(String tenant, String knownSecret, boolean resetSecret) {
        TenantService.validateId(tenant);
        Tuple recorded = store.read(tx -> {
            byte[] value = tx.get(ControlPlaneKeys.bootstrapTenantAdmin()).join();
            return value == null ? null : Tuple.fromBytes(value);
        });
        if (recorded != null) {
            ServiceAccount existing = store.read(tx -> find(tx, recorded.getString(0), recorded.getString(1)));
            return existing == null ? Optional.empty() : Optional.of(bootstrapWith(existing, knownSecret, resetSecret));
        }
        String secret = SecretHasher.newSecret();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ServiceAccount fresh = new ServiceAccount(newId(), tenant, DEFAULT_TENANT_ADMIN_NAME, Roles.TENANT_ADMIN, now, now, hasher.hash(secret));
        ServiceAccount winner = store.run(tx -> {
            byte[] value = tx.get(ControlPlaneKeys.bootstrapTenantAdmin()).join();
            if (value != null) {
                Tuple other = Tuple.fromBytes(value);
                return find(tx, other.getString(0), other.getString(1)); // another pod did it meanwhile (null: deleted since)
            }
            TenantService.createIfAbsent(tx, tenant, now);
            insert(tx, fresh);
            tx.set(ControlPlaneKeys.bootstrapTenantAdmin(), Tuple.from(tenant, fresh.id()).pack());
            return fresh;
        });
        if (winner == null) {
            return Optional.empty();
        }
        return Optional.of(winner == fresh ? new Bootstrap(fresh, secret, Bootstrap.Outcome.CREATED)
                : bootstrapWith(winner, knownSecret, resetSecret));
    }

    /**
     * A bootstrap account (platform administrator or default tenant administrator) at this start.
     *
     * @param account the account
     * @param secret its secret, null when unknown to this process
     * @param outcome what this start did
     */
    public record Bootstrap(ServiceAccount account, String secret, Outcome outcome) {
        public enum Outcome {
            CREATED,
            KEPT,
            RESET,
            SECRET_UNKNOWN
        }
    }

    private static void insert(Transaction tx, ServiceAccount account) {
        byte[] nameKey = ControlPlaneKeys.serviceAccountNames(account.tenant()).pack(Tuple.from(account.name()));
        if (tx.get(nameKey).join() != null) {
            throw ProblemException.conflict(ErrorCodes.SERVICE_ACCOUNT_ALREADY_EXISTS, "a service account named '" + account.name()
                    + "' already exists in " + (account.tenant() == null ? "the cluster scope" : "tenant '" + account.tenant() + "'"));
        }
        tx.set(nameKey, account.id().getBytes(StandardCharsets.UTF_8));
        tx.set(ControlPlaneKeys.serviceAccounts(account.tenant()).pack(Tuple.from(account.id())), StoredJson.write(account));
        String scope = account.tenant() == null ? ControlPlaneKeys.CLUSTER_SCOPE : account.tenant();
        tx.set(ControlPlaneKeys.client(account.id()), Tuple.from(scope, account.id()).pack());
    }

    private static ServiceAccount find(ReadTransaction tx, String tenant, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return null;
        }
        byte[] value = tx.get(ControlPlaneKeys.serviceAccounts(tenant).pack(Tuple.from(id))).join();
        return value == null ? null : StoredJson.read(value, ServiceAccount.class);
    }

    private static ServiceAccount findByClientId(ReadTransaction tx, String clientId) {
        byte[] index = tx.get(ControlPlaneKeys.client(clientId)).join();
        if (index == null) {
            return null;
        }
        String scope = Tuple.fromBytes(index).getString(0);
        return find(tx, scope.isEmpty() ? null : scope, clientId);
    }

    private static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_SERVICE_ACCOUNT_NAME, "invalid service account name '"
                    + (name == null ? "" : name) + "': lowercase letters, digits and '-', 1 to 63 characters, starting with a letter");
        }
    }

    private static ProblemException notFound(String tenant, String id) {
        return ProblemException.notFound(ErrorCodes.SERVICE_ACCOUNT_NOT_FOUND, "service account '" + id + "' does not exist"
                + (tenant == null ? "" : " in tenant '" + tenant + "'"));
    }

    private static String newId() {
        StringBuilder id = new StringBuilder("sa-");
        for (int i = 0; i < 20; i++) {
            id.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        return id.toString();
    }
}
