package dev.tributary.schema;

import java.util.Objects;

/**
 * What the registry is configured with.
 *
 * @param maxSchemaBytes the largest schema text accepted, in UTF-8 bytes
 * @param defaultCompatibility the level of a tenant that has not set one
 */
public record SchemaRegistrySettings(int maxSchemaBytes, CompatibilityLevel defaultCompatibility) {
    /** 1 MiB: well above real Avro schemas, and a bound on what one request makes the server parse and store. */
    public static final int DEFAULT_MAX_SCHEMA_BYTES = 1024 * 1024;

    public SchemaRegistrySettings {
        if (maxSchemaBytes < 1) {
            throw new IllegalArgumentException("max-schema-bytes must be positive, not " + maxSchemaBytes);
        }
        Objects.requireNonNull(defaultCompatibility, "defaultCompatibility");
    }

    public static SchemaRegistrySettings defaults() {
        return new SchemaRegistrySettings(DEFAULT_MAX_SCHEMA_BYTES, CompatibilityLevel.BACKWARD);
    }
}
