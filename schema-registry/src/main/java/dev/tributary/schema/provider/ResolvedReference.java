package dev.tributary.schema.provider;

import dev.tributary.schema.SchemaReference;

/** A reference with the canonical text of the schema it names. */
public record ResolvedReference(SchemaReference reference, String schema) {}
