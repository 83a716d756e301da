package dev.tributary.schema;

import java.util.List;

/**
 * What a schema id names in a tenant, for ever: the type, the schema in its canonical form (the
 * text that identifies it, see {@link dev.tributary.schema.provider.ParsedSchema#canonical()}) and
 * its references.
 */
public record RegisteredSchema(int id, String type, String schema, List<SchemaReference> references) {
    public RegisteredSchema {
        references = List.copyOf(references);
    }
}
