package dev.tributary.schema.provider;

import java.util.List;

/**
 * One schema type (AVRO; JSON Schema and Protobuf later): how its schemas are parsed, identified
 * and compared. Everything type-specific in the registry goes through this seam: storage, ids,
 * versions, references and compatibility levels are the same for every type.
 */
public interface SchemaProvider {
    /** The {@code schemaType} of the API, upper case, e.g. {@code AVRO}. */
    String type();

    /**
     * Parses and validates {@code schema}. {@code references} are the schemas it refers to,
     * resolved transitively and ordered so that each comes after every schema it refers to itself.
     *
     * @throws dev.tributary.schema.SchemaRegistryException INVALID_SCHEMA, saying what is wrong
     */
    ParsedSchema parse(String schema, List<ResolvedReference> references);
}
