package dev.tributary.schema.rest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code tributary.schema-registry.*}; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.schema-registry")
public interface SchemaRegistryConfig {
    /**
     * The largest schema accepted, in UTF-8 bytes of its text (42209 above it). A request body may
     * be larger (JSON escaping), up to {@link SchemaRegistryResource#maxBodyBytes(int)}.
     */
    @WithDefault("1048576")
    int maxSchemaBytes();

    /** The compatibility level of a tenant that has not set one (PUT /config). */
    @WithDefault("BACKWARD")
    String defaultCompatibility();

    LookupCache lookupCache();

    /** {@code tributary.schema-registry.lookup-cache.*}: id to schema and subject-has-id answers kept in memory (SchemaLookup). */
    interface LookupCache {
        @WithDefault("10000")
        int maxEntries();

        /** How long a positive answer is kept: the longest a delete made on another node goes unnoticed here. */
        @WithDefault("30s")
        Duration ttl();
    }
}
