package dev.tributary.schema;

import java.util.Objects;

/**
 * A schema's use of another registered schema: {@code name} is how the schema refers to it (for
 * Avro the full name of the named type it defines), {@code subject} and {@code version} where it is
 * registered.
 */
public record SchemaReference(String name, String subject, int version) {
    public SchemaReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
    }
}
