package dev.tributary.schema;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The two questions the data plane and serializers ask on hot paths, answered from a cache: what
 * schema an id names, and whether a subject registers an id (produce-time validation).
 *
 * <p>Only positive answers are kept, for at most {@code ttl}: a schema registered on another node
 * is seen at once, and a record naming an unknown id costs a store read each time rather than
 * being refused from a stale entry. Writes on this node drop the tenant's entries at once; a
 * delete on another node is seen here after at most {@code ttl} (the registry ADDs to a per-tenant
 * change counter on every write, {@link SchemaKeys}, which a watch can use to remove that window).
 * What an id names never changes while it exists, so the first answer is only ever stale after a
 * hard delete.
 */
public final class SchemaLookup {
    private record IdKey(String tenant, int id) {}

    private record SubjectIdKey(String tenant, String subject, int id) {}

    private final SchemaRegistry registry;
    private final BoundedCache<IdKey, RegisteredSchema> schemas;
    private final BoundedCache<SubjectIdKey, Boolean> subjectIds;

    public SchemaLookup(SchemaRegistry registry, int maxEntries, Duration ttl) {
        this(registry, maxEntries, ttl, System::nanoTime);
    }

    SchemaLookup(SchemaRegistry registry, int maxEntries, Duration ttl, LongSupplier nanoClock) {
        this.registry = registry;
        this.schemas = new BoundedCache<>(maxEntries, ttl.toNanos(), nanoClock);
        this.subjectIds = new BoundedCache<>(maxEntries, ttl.toNanos(), nanoClock);
        registry.addChangeListener(this::invalidate);
    }

    /** What {@code id} names in the tenant, if anything. */
    public Optional<RegisteredSchema> schema(String tenant, int id) {
        IdKey key = new IdKey(tenant, id);
        RegisteredSchema cached = schemas.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<RegisteredSchema> found = registry.findSchema(tenant, id);
        found.ifPresent(schema -> schemas.put(key, schema));
        return found;
    }

    /** Whether a live version of {@code subject} registers {@code id}. */
    public boolean subjectHasId(String tenant, String subject, int id) {
        SubjectIdKey key = new SubjectIdKey(tenant, subject, id);
        if (subjectIds.get(key) != null) {
            return true;
        }
        boolean has = registry.subjectHasId(tenant, subject, id);
        if (has) {
            subjectIds.put(key, Boolean.TRUE);
        }
        return has;
    }

    /** Drops what is cached for {@code tenant}. */
    public void invalidate(String tenant) {
        schemas.removeIf(k -> k.tenant().equals(tenant));
        subjectIds.removeIf(k -> k.tenant().equals(tenant));
    }

    int cachedEntries() {
        return schemas.size() + subjectIds.size();
    }
}
