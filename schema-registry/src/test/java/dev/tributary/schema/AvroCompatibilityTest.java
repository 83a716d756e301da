package dev.tributary.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compatibility tables: for each evolution of an Avro schema, which of the seven levels accept it,
 * checked by registering both schemas under a subject set to that level in a real store, and the
 * messages saying what broke.
 */
class AvroCompatibilityTest {
    @TempDir
    Path dir;
    EmbeddedStore store;
    SchemaRegistry registry;
    int subjects;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        registry = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    static String record(String fields) {
        return "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[" + fields + "]}";
    }

    static final String ID = "{\"name\":\"id\",\"type\":\"string\"}";

    /** One evolution: whether the new schema reads the old data (backward) and the old schema the new data (forward). */
    record Evolution(String name, String before, String after, boolean backward, boolean forward) {}

    static final List<Evolution> EVOLUTIONS = List.of(
            new Evolution("added field with default", record(ID),
                    record(ID + ",{\"name\":\"qty\",\"type\":\"int\",\"default\":1}"), true, true),
            new Evolution("added field without default", record(ID),
                    record(ID + ",{\"name\":\"qty\",\"type\":\"int\"}"), false, true),
            new Evolution("removed field without default", record(ID + ",{\"name\":\"qty\",\"type\":\"int\"}"),
                    record(ID), true, false),
            new Evolution("removed field with default", record(ID + ",{\"name\":\"qty\",\"type\":\"int\",\"default\":0}"),
                    record(ID), true, true),
            new Evolution("type promotion int to long", record("{\"name\":\"qty\",\"type\":\"int\"}"),
                    record("{\"name\":\"qty\",\"type\":\"long\"}"), true, false),
            new Evolution("type narrowing long to int", record("{\"name\":\"qty\",\"type\":\"long\"}"),
                    record("{\"name\":\"qty\",\"type\":\"int\"}"), false, true),
            new Evolution("type change string to int", record("{\"name\":\"qty\",\"type\":\"string\"}"),
                    record("{\"name\":\"qty\",\"type\":\"int\"}"), false, false),
            new Evolution("enum symbol added", record(enumField("\"A\",\"B\"", null)),
                    record(enumField("\"A\",\"B\",\"C\"", null)), true, false),
            new Evolution("enum symbol removed", record(enumField("\"A\",\"B\",\"C\"", null)),
                    record(enumField("\"A\",\"B\"", null)), false, true),
            new Evolution("enum symbol added, old enum has a default", record(enumField("\"A\",\"B\"", "A")),
                    record(enumField("\"A\",\"B\",\"C\"", "A")), true, true),
            new Evolution("union branch added", record("{\"name\":\"v\",\"type\":[\"null\",\"string\"]}"),
                    record("{\"name\":\"v\",\"type\":[\"null\",\"string\",\"int\"]}"), true, false),
            new Evolution("union branch removed", record("{\"name\":\"v\",\"type\":[\"null\",\"string\",\"int\"]}"),
                    record("{\"name\":\"v\",\"type\":[\"null\",\"string\"]}"), false, true),
            new Evolution("field made nullable (type to union)", record("{\"name\":\"v\",\"type\":\"string\"}"),
                    record("{\"name\":\"v\",\"type\":[\"null\",\"string\"]}"), true, false),
            new Evolution("field renamed with an alias", record("{\"name\":\"qty\",\"type\":\"int\"}"),
                    record("{\"name\":\"quantity\",\"type\":\"int\",\"aliases\":[\"qty\"]}"), true, false),
            new Evolution("record renamed", record(ID),
                    "{\"type\":\"record\",\"name\":\"Purchase\",\"namespace\":\"shop\",\"fields\":[" + ID + "]}", false, false),
            new Evolution("documentation changed only", record(ID),
                    record("{\"name\":\"id\",\"type\":\"string\",\"doc\":\"the order id\"}"), true, true));

    static String enumField(String symbols, String defaultSymbol) {
        return "{\"name\":\"state\",\"type\":{\"type\":\"enum\",\"name\":\"State\",\"symbols\":[" + symbols + "]"
                + (defaultSymbol == null ? "" : ",\"default\":\"" + defaultSymbol + "\"") + "}}";
    }

    static boolean expected(Evolution e, CompatibilityLevel level) {
        return (!level.backward() || e.backward()) && (!level.forward() || e.forward());
    }

    @Test
    void everyLevelAcceptsExactlyTheEvolutionsItShould() {
        List<String> wrong = new ArrayList<>();
        for (Evolution e : EVOLUTIONS) {
            for (CompatibilityLevel level : CompatibilityLevel.values()) {
                String subject = "s" + (subjects++);
                registry.setSubjectCompatibility("acme", subject, level);
                SubjectVersion first = registry.register("acme", subject, SchemaInput.avro(e.before()), null, null);
                boolean accepted;
                try {
                    SubjectVersion second = registry.register("acme", subject, SchemaInput.avro(e.after()), null, null);
                    assertEquals(2, second.version());
                    accepted = true;
                } catch (SchemaRegistryException x) {
                    assertEquals(SchemaErrorCode.INCOMPATIBLE_SCHEMA, x.code(), x.getMessage());
                    assertEquals(List.of(1), registry.versions("acme", subject, true), "nothing stored when refused");
                    accepted = false;
                }
                // The dry run answers the same as the registration.
                String dry = "d" + subject;
                registry.setSubjectCompatibility("acme", dry, level);
                registry.register("acme", dry, SchemaInput.avro(e.before()), null, null);
                boolean dryAccepted = registry.checkCompatibility("acme", dry, null, SchemaInput.avro(e.after())).compatible();
                if (accepted != expected(e, level) || dryAccepted != accepted) {
                    wrong.add(e.name() + " at " + level + ": accepted " + accepted + ", dry run " + dryAccepted + ", expected "
                            + expected(e, level));
                }
                assertEquals(1, first.version());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void messagesSayWhatBrokeAgainstWhichVersion() {
        registry.setSubjectCompatibility("acme", "orders", CompatibilityLevel.FULL);
        registry.register("acme", "orders", SchemaInput.avro(record("{\"name\":\"qty\",\"type\":\"int\"}")), null, null);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> registry.register("acme", "orders",
                SchemaInput.avro(record("{\"name\":\"qty\",\"type\":\"long\"},{\"name\":\"sku\",\"type\":\"string\"}")), null, null));
        assertEquals(SchemaErrorCode.INCOMPATIBLE_SCHEMA, e.code());
        String m = e.getMessage();
        assertTrue(m.contains("compatibility FULL"), m);
        // Backward: the new reader needs 'sku', which version 1 data lacks.
        assertTrue(m.contains("the new schema cannot read data written with version 1: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1:"
                + " the reader's field 'sku' has no default value"), m);
        // Forward: version 1 reads qty as int, the new schema writes a long.
        assertTrue(m.contains("version 1 cannot read data written with the new schema: TYPE_MISMATCH at /fields/0/type"), m);

        CompatibilityResult enumRemoved = registry.checkCompatibility("acme", "e", null, SchemaInput.avro(record(enumField("\"A\"", null))));
        assertTrue(enumRemoved.compatible(), "a subject without versions accepts anything");
        registry.register("acme", "e", SchemaInput.avro(record(enumField("\"A\",\"B\"", null))), null, null);
        CompatibilityResult r = registry.checkCompatibility("acme", "e", null, SchemaInput.avro(record(enumField("\"A\"", null))));
        assertFalse(r.compatible());
        assertEquals(1, r.messages().size(), r.messages().toString());
        assertTrue(r.messages().get(0).contains("MISSING_ENUM_SYMBOLS at /fields/0/type/symbols: the reader's enum shop.State has no"
                + " symbol (and no default) for the writer's symbols [B]"), r.messages().toString());
    }

    @Test
    void transitiveLevelsCheckEveryLiveVersionOthersTheLatest() {
        String v1 = record(ID);
        String v2 = record(ID + ",{\"name\":\"qty\",\"type\":\"int\",\"default\":1}");
        String v3 = record(ID + ",{\"name\":\"qty\",\"type\":\"int\"}");
        // v3 reads v2 data (qty present) but not v1 data (qty missing, no default).
        for (CompatibilityLevel level : List.of(CompatibilityLevel.BACKWARD, CompatibilityLevel.BACKWARD_TRANSITIVE)) {
            String subject = level.name().toLowerCase(Locale.ROOT);
            registry.setSubjectCompatibility("acme", subject, level);
            registry.register("acme", subject, SchemaInput.avro(v1), null, null);
            registry.register("acme", subject, SchemaInput.avro(v2), null, null);
            if (level.transitive()) {
                SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                        () -> registry.register("acme", subject, SchemaInput.avro(v3), null, null));
                assertTrue(e.getMessage().contains("cannot read data written with version 1"), e.getMessage());
                assertFalse(e.getMessage().contains("version 2"), e.getMessage());
                // Against one version, "latest" (v2) passes; against version 1 it does not.
                assertTrue(registry.checkCompatibility("acme", subject, VersionRef.LATEST, SchemaInput.avro(v3)).compatible());
                assertFalse(registry.checkCompatibility("acme", subject, new VersionRef(1), SchemaInput.avro(v3)).compatible());
                // A soft-deleted version is no longer checked.
                registry.deleteVersion("acme", subject, new VersionRef(1), false);
                assertEquals(3, registry.register("acme", subject, SchemaInput.avro(v3), null, null).version());
            } else {
                assertEquals(3, registry.register("acme", subject, SchemaInput.avro(v3), null, null).version());
            }
        }

        // Forward and full: v1 readers need 'qty' (no default); v2 gives it a default; v3 drops it.
        String f1 = record(ID + ",{\"name\":\"qty\",\"type\":\"int\"}");
        String f2 = record(ID + ",{\"name\":\"qty\",\"type\":\"int\",\"default\":0}");
        String f3 = record(ID);
        for (CompatibilityLevel level : List.of(CompatibilityLevel.FORWARD, CompatibilityLevel.FORWARD_TRANSITIVE,
                CompatibilityLevel.FULL, CompatibilityLevel.FULL_TRANSITIVE)) {
            String subject = level.name().toLowerCase(Locale.ROOT);
            registry.setSubjectCompatibility("acme", subject, level);
            registry.register("acme", subject, SchemaInput.avro(f1), null, null);
            registry.register("acme", subject, SchemaInput.avro(f2), null, null);
            if (level.transitive()) {
                SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                        () -> registry.register("acme", subject, SchemaInput.avro(f3), null, null));
                assertTrue(e.getMessage().contains("version 1 cannot read data written with the new schema"), e.getMessage());
            } else {
                assertEquals(3, registry.register("acme", subject, SchemaInput.avro(f3), null, null).version());
            }
        }
    }

    @Test
    void theTenantLevelAppliesUntilASubjectHasItsOwn() {
        assertEquals(CompatibilityLevel.BACKWARD, registry.tenantCompatibility("acme"));
        registry.register("acme", "orders", SchemaInput.avro(record(ID)), null, null);
        String breaking = record(ID + ",{\"name\":\"qty\",\"type\":\"int\"}");
        assertThrows(SchemaRegistryException.class, () -> registry.register("acme", "orders", SchemaInput.avro(breaking), null, null));
        registry.setTenantCompatibility("acme", CompatibilityLevel.NONE);
        registry.setSubjectCompatibility("acme", "orders", CompatibilityLevel.FORWARD);
        assertEquals(CompatibilityLevel.FORWARD, registry.effectiveCompatibility("acme", "orders"));
        assertEquals(2, registry.register("acme", "orders", SchemaInput.avro(breaking), null, null).version());
        assertEquals(CompatibilityLevel.FORWARD, registry.deleteSubjectCompatibility("acme", "orders"));
        assertEquals(CompatibilityLevel.NONE, registry.effectiveCompatibility("acme", "orders"));
        assertEquals(CompatibilityLevel.NONE, registry.resetTenantCompatibility("acme"));
        assertEquals(CompatibilityLevel.BACKWARD, registry.tenantCompatibility("acme"));
        // Another tenant is untouched by all of this.
        assertEquals(CompatibilityLevel.BACKWARD, registry.tenantCompatibility("other"));
    }
}
