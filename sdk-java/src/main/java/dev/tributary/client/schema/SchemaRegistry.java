package dev.tributary.client.schema;

/**
 * The tenant's schema registry (the Confluent-compatible API at the profile's {@code
 * tributary.schema-registry.url}), as the serdes use it. Calls block; answers are cached for the
 * life of the client, so that a serializer in steady state makes no HTTP calls: a schema's id per
 * subject, schemas by id (ids are never reused, so these never go stale) and a subject's latest
 * version (which does go stale when a newer one is registered: {@link #latest(String, boolean)}
 * fetches it anew). Thread-safe.
 *
 * <p>Failures are {@link dev.tributary.client.TributaryException}s: the registry's own errors
 * with code {@link dev.tributary.client.TributaryException#SCHEMA_REGISTRY} and its {@code
 * error_code} (40401, 409, 42201, ...) and the HTTP status in {@code metadata()} ({@code
 * error_code}, {@code http_status}); authentication failures with the listener's code ({@code
 * UNAUTHENTICATED}); no answer with {@code TRANSPORT} or {@code TIMEOUT}.
 */
public interface SchemaRegistry {
    /** Schema type of Avro schemas (the registry's default). */
    String AVRO = "AVRO";

    /**
     * Registers an Avro schema under a subject ({@code POST /subjects/{subject}/versions}) and
     * answers its id; the same schema again answers the same id (from the cache, without a call).
     */
    int register(String subject, String schema);

    /** The version of a subject registering this schema ({@code POST /subjects/{subject}}): 40401 / 40403 when there is none. */
    RegisteredSchema lookup(String subject, String schema);

    /** The schema with this id ({@code GET /schemas/ids/{id}}): 40403 when there is none. */
    String schemaById(int id);

    /** The subject's latest version ({@code GET /subjects/{subject}/versions/latest}), cached after the first call. */
    default RegisteredSchema latest(String subject) {
        return latest(subject, false);
    }

    /** The subject's latest version; {@code refresh}: ask the registry again even when cached. */
    RegisteredSchema latest(String subject, boolean refresh);

    /** A version of a subject as the registry answers it. */
    record RegisteredSchema(String subject, int version, int id, String schema) {}
}
