package dev.tributary.schema.provider;

import dev.tributary.schema.Names;
import dev.tributary.schema.SchemaRegistryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The schema types this registry supports, by name. */
public final class SchemaProviders {
    private final Map<String, SchemaProvider> byType = new LinkedHashMap<>();

    public SchemaProviders(List<SchemaProvider> providers) {
        for (SchemaProvider provider : providers) {
            if (byType.putIfAbsent(provider.type(), provider) != null) {
                throw new IllegalArgumentException("two providers for schema type " + provider.type());
            }
        }
    }

    /** What this version of Tributary supports: Avro. */
    public static SchemaProviders defaults() {
        return new SchemaProviders(List.of(new AvroSchemaProvider()));
    }

    /** The supported types, as {@code GET /schemas/types} lists them. */
    public List<String> types() {
        return new ArrayList<>(byType.keySet());
    }

    /** The provider of {@code type} (case-insensitive); INVALID_SCHEMA for a type this registry does not know. */
    public SchemaProvider forType(String type) {
        SchemaProvider provider = type == null ? null : byType.get(type.toUpperCase(Locale.ROOT));
        if (provider == null) {
            throw SchemaRegistryException.invalidSchema("Invalid schema type '" + Names.printable(type)
                    + "': this registry supports " + String.join(", ", byType.keySet()));
        }
        return provider;
    }
}
