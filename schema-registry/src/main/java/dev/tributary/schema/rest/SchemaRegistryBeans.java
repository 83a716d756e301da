package dev.tributary.schema.rest;

import dev.tributary.schema.CompatibilityLevel;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.schema.SchemaRegistry;
import dev.tributary.schema.SchemaRegistryException;
import dev.tributary.schema.SchemaRegistrySettings;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.KeyValueStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The registry (plain Java) and its lookup cache as the beans the REST API and, later, the data plane share. */
@Singleton
public class SchemaRegistryBeans {
    @Produces
    @Singleton
    SchemaRegistry schemaRegistry(KeyValueStore store, SchemaRegistryConfig config) {
        CompatibilityLevel level;
        try {
            level = CompatibilityLevel.parse(config.defaultCompatibility());
        } catch (SchemaRegistryException e) {
            throw new IllegalArgumentException("tributary.schema-registry.default-compatibility: " + e.getMessage(), e);
        }
        if (config.maxSchemaBytes() < 1) {
            throw new IllegalArgumentException("tributary.schema-registry.max-schema-bytes must be at least 1, not "
                    + config.maxSchemaBytes());
        }
        return new SchemaRegistry(store, SchemaProviders.defaults(), new SchemaRegistrySettings(config.maxSchemaBytes(), level));
    }

    @Produces
    @Singleton
    SchemaLookup schemaLookup(SchemaRegistry registry, SchemaRegistryConfig config) {
        return new SchemaLookup(registry, config.lookupCache().maxEntries(), config.lookupCache().ttl());
    }

    /** Builds the registry at startup, so that an invalid setting stops the server with its key named, not the first request. */
    void validateAtStartup(@Observes StartupEvent event, SchemaRegistry registry) {
        registry.settings();
    }
}
