package dev.tributary.acl;

import com.apple.foundationdb.subspace.Subspace;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A tenant's ACL bindings in storage (keys: {@link AclKeySpace}). Each operation is one
 * transaction, and each change ADDs 1 to the tenant's ACL version key in that same transaction, so
 * a cache that watches the version key learns of every committed change.
 *
 * <p>Callers have checked who may manage the tenant's ACLs; this class only keeps them.
 */
public final class AclStore {
    /**
     * Bindings one tenant may have. Every node keeps a tenant's bindings in memory and loads them in
     * one read, so their number is bounded (about 100 bytes each: 1 MB per tenant at the limit).
     */
    public static final int MAX_BINDINGS_PER_TENANT = 10_000;
    /** Most bindings per list page. */
    public static final int MAX_PAGE_SIZE = 1_000;

    private static final byte[] PLUS_ONE = le64(1);
    private static final byte[] MINUS_ONE = le64(-1);
    private static final int SCAN_BATCH = 256;

    private final KeyValueStore store;

    public AclStore(KeyValueStore store) {
        this.store = store;
    }

    /** Stores a validated binding; ACL_ALREADY_EXISTS if an identical one exists, ACL_LIMIT_EXCEEDED at the limit. */
    public AclBinding create(String tenant, AclBinding binding) {
        return create(tenant, binding, tx -> {});
    }

    /**
     * {@link #create(String, AclBinding)} that first hands the transaction to {@code precondition},
     * which may read (e.g. that the tenant still exists, so that a concurrent delete of the tenant
     * makes one of the two retry) and throw to refuse; nothing is written then.
     */
    public AclBinding create(String tenant, AclBinding binding, Consumer<ReadTransaction> precondition) {
        binding.validateFor(tenant);
        String id = binding.id();
        byte[] key = AclKeySpace.binding(tenant, id);
        byte[] countKey = AclKeySpace.count(tenant);
        return store.run(tx -> {
            precondition.accept(tx);
            CompletableFuture<byte[]> existing = tx.get(key);
            CompletableFuture<byte[]> count = tx.get(countKey);
            if (existing.join() != null) {
                AclBinding stored = AclKeySpace.decode(existing.join());
                if (!stored.equals(binding)) {
                    // 100 bits of SHA-256 colliding: not expected in the life of the universe, but never overwrite.
                    throw new IllegalStateException("ACL id " + id + " of " + binding + " collides with " + stored);
                }
                throw new AclException(AclErrorCode.ACL_ALREADY_EXISTS, null,
                        "an identical ACL exists already in tenant '" + tenant + "': " + id);
            }
            if (fromLe64(count.join()) >= MAX_BINDINGS_PER_TENANT) {
                throw new AclException(AclErrorCode.ACL_LIMIT_EXCEEDED, null, "tenant '" + tenant + "' has "
                        + MAX_BINDINGS_PER_TENANT + " ACLs, the most a tenant may have: delete some, or use prefixed ones");
            }
            tx.set(key, AclKeySpace.encode(binding));
            tx.mutate(MutationType.ADD, countKey, PLUS_ONE);
            tx.mutate(MutationType.ADD, AclKeySpace.version(tenant), PLUS_ONE);
            return binding;
        });
    }

    /** The binding with {@code id}, if the tenant has it (an id of the wrong shape is simply absent). */
    public Optional<AclBinding> find(String tenant, String id) {
        if (id == null || !AclBinding.ID.matcher(id).matches()) {
            return Optional.empty();
        }
        byte[] value = store.read(tx -> tx.get(AclKeySpace.binding(tenant, id)).join());
        return Optional.ofNullable(value == null ? null : AclKeySpace.decode(value));
    }

    /** The binding with {@code id}; ACL_NOT_FOUND if there is none. */
    public AclBinding get(String tenant, String id) {
        return find(tenant, id).orElseThrow(() -> notFound(tenant, id));
    }

    /** Deletes the binding with {@code id}; returns it. ACL_NOT_FOUND if there is none. */
    public AclBinding delete(String tenant, String id) {
        if (id == null || !AclBinding.ID.matcher(id).matches()) {
            throw notFound(tenant, id);
        }
        byte[] key = AclKeySpace.binding(tenant, id);
        return store.run(tx -> {
            byte[] value = tx.get(key).join();
            if (value == null) {
                throw notFound(tenant, id);
            }
            tx.clear(key);
            tx.mutate(MutationType.ADD, AclKeySpace.count(tenant), MINUS_ONE);
            tx.mutate(MutationType.ADD, AclKeySpace.version(tenant), PLUS_ONE);
            return AclKeySpace.decode(value);
        });
    }

    /**
     * Up to {@code limit} bindings matching {@code filter}, in id order, starting after {@code
     * afterId} (null for the first page). One read transaction that scans ids until the page is
     * full; a tenant has at most {@link #MAX_BINDINGS_PER_TENANT}, so even a filter that matches
     * few reads a bounded amount.
     */
    public AclPage list(String tenant, AclFilter filter, String afterId, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be in [1, " + MAX_PAGE_SIZE + "], not " + limit);
        }
        Subspace bindings = AclKeySpace.bindings(tenant);
        byte[] begin = afterId == null ? bindings.range().begin : Keys.keyAfter(AclKeySpace.binding(tenant, afterId));
        byte[] end = bindings.range().end;
        return store.read(tx -> {
            List<AclBinding> page = new ArrayList<>();
            boolean more = false;
            for (Iterator<KeyValue> it = tx.iterate(begin, end, false, SCAN_BATCH); it.hasNext(); ) {
                AclBinding b = AclKeySpace.decode(it.next().value());
                if (filter.matches(b)) {
                    if (page.size() == limit) {
                        more = true;
                        break;
                    }
                    page.add(b);
                }
            }
            return new AclPage(page, more ? page.get(page.size() - 1).id() : null);
        });
    }

    /**
     * Every binding of the tenant and its ACL version, read at one read version; with {@code watch},
     * also a watch on the version key set up by the same transaction (see {@link AclSnapshot}).
     */
    public AclSnapshot snapshot(String tenant, boolean watch) {
        byte[] versionKey = AclKeySpace.version(tenant);
        Subspace bindings = AclKeySpace.bindings(tenant);
        return store.run(tx -> {
            CompletableFuture<byte[]> version = tx.get(versionKey);
            List<AclBinding> all = new ArrayList<>();
            for (Iterator<KeyValue> it = tx.iterate(bindings.range().begin, bindings.range().end, false, SCAN_BATCH); it.hasNext(); ) {
                all.add(AclKeySpace.decode(it.next().value()));
            }
            // Registered when this (read-only) transaction commits; it fires on any change after its read version.
            CompletableFuture<Void> changed = watch ? tx.watch(versionKey) : null;
            return new AclSnapshot(tenant, fromLe64(version.join()), List.copyOf(all), changed);
        });
    }

    /** The tenant's ACL version: how many changes its ACLs have seen (0 if none ever). */
    public long version(String tenant) {
        return fromLe64(store.read(tx -> tx.get(AclKeySpace.version(tenant)).join()));
    }

    private static AclException notFound(String tenant, String id) {
        return new AclException(AclErrorCode.ACL_NOT_FOUND, null, "no ACL with id '" + id + "' in tenant '" + tenant + "'");
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long fromLe64(byte[] value) {
        return value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
