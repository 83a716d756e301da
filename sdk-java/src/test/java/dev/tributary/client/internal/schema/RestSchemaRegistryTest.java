package dev.tributary.client.internal.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryTest {
    @Test
    void registryErrorsKeepTheirErrorCode() {
        TributaryException e = RestSchemaRegistry.failure(409, "{\"error_code\":409,\"message\":\"incompatible: READER_FIELD_MISSING_DEFAULT_VALUE\"}",
                "register", null);
        assertEquals(TributaryException.SCHEMA_REGISTRY, e.code());
        assertEquals("409", e.metadata().get("error_code"));
        assertEquals("409", e.metadata().get("http_status"));
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
        assertFalse(e.retriable());

        TributaryException missing = RestSchemaRegistry.failure(404, "{\"error_code\":40403,\"message\":\"Schema 9 not found\"}", "fetch", null);
        assertEquals("40403", missing.metadata().get("error_code"));
        assertTrue(RestSchemaRegistry.failure(500, "{\"error_code\":50001,\"message\":\"store\"}", "x", null).retriable());
        assertEquals("HTTP_502", RestSchemaRegistry.failure(502, "<html>bad gateway</html>", "x", null).code());
    }

    @Test
    void subjectsAreOnePathSegment() {
        assertEquals("orders-value", RestSchemaRegistry.segment("orders-value"));
        assertEquals("a%2Fb%20c", RestSchemaRegistry.segment("a/b c"));
        for (String bad : new String[] {"", ".", ".."}) {
            assertThrows(TributaryException.class, () -> RestSchemaRegistry.segment(bad));
        }
    }
}
