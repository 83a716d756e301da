package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The profile's {@code tributary.schema-registry.url}: read when given, the server's own path under the endpoint otherwise. */
class ClientProfileSchemaRegistryTest {
    @Test
    void readWhenGivenDerivedOtherwise() {
        ClientProfile given = ClientProfile.fromProperties(Map.of(ClientProfile.ENDPOINT, "https://broker:9443",
                ClientProfile.SCHEMA_REGISTRY_URL, "https://registry.example:8443/sr"), null);
        assertEquals(URI.create("https://registry.example:8443/sr"), given.schemaRegistryUrl());
        assertEquals(given.schemaRegistryUrl(), given.withTenant("acme").schemaRegistryUrl());

        ClientProfile derived = ClientProfile.fromProperties(Map.of(ClientProfile.ENDPOINT, "https://broker:9443"), Path.of("p"));
        assertEquals(URI.create("https://broker:9443/schema-registry"), derived.schemaRegistryUrl());
        assertEquals(derived.schemaRegistryUrl(),
                new ClientProfile(URI.create("https://broker:9443"), null, null, null, null, null).schemaRegistryUrl());
    }

    @Test
    void aRelativeUrlIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientProfile.fromProperties(Map.of(
                ClientProfile.ENDPOINT, "https://broker:9443", ClientProfile.SCHEMA_REGISTRY_URL, "schema-registry"), null));
        assertEquals("tributary.schema-registry.url must be an absolute URL, not 'schema-registry'", e.getMessage());
    }
}
