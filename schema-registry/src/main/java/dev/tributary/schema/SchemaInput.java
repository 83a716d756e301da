package dev.tributary.schema;

import java.util.List;
import java.util.Objects;

/**
 * A schema as a client submits it: its type ({@code AVRO} when not given), its text, and the
 * registered schemas it refers to. Reference versions may be -1 for "the latest".
 */
public record SchemaInput(String type, String schema, List<SchemaReference> references) {
    /** The type of a schema submitted without one, as in Confluent's API. */
    public static final String DEFAULT_TYPE = "AVRO";

    public SchemaInput {
        type = type == null || type.isEmpty() ? DEFAULT_TYPE : type;
        references = references == null ? List.of() : List.copyOf(references);
    }

    public static SchemaInput avro(String schema) {
        return new SchemaInput(DEFAULT_TYPE, schema, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchemaInput other && type.equals(other.type) && Objects.equals(schema, other.schema)
                && references.equals(other.references);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, schema, references);
    }
}
