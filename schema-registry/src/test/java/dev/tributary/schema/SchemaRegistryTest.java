package dev.tributary.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The registry over a real embedded store: identity and ids, deletes, references, modes, limits, and that bad input stores nothing. */
class SchemaRegistryTest {
    @TempDir
    Path dir;
    EmbeddedStore store;
    SchemaRegistry registry;

    static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    static final String ORDER_V2 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}";
    static final String ADDRESS = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
    static final String CUSTOMER = "{\"type\":\"record\",\"name\":\"Customer\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"home\",\"type\":\"shop.Address\"}]}";

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        registry = new SchemaRegistry(store, SchemaProviders.defaults(), new SchemaRegistrySettings(4096, CompatibilityLevel.BACKWARD));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static SchemaErrorCode codeOf(Executable e) {
        return assertThrows(SchemaRegistryException.class, e).code();
    }

    SubjectVersion register(String tenant, String subject, String schema) {
        return registry.register(tenant, subject, SchemaInput.avro(schema), null, null);
    }

    /** Every key of the tenant's registry, to prove that a refused request wrote nothing. */
    List<String> registryKeys(String tenant) {
        return registryKeys(tenant, true);
    }

    List<String> registryKeys(String tenant, boolean withIdCounter) {
        byte[] prefix = SchemaKeys.registry(tenant).pack();
        return store.read(tx -> {
            List<String> keys = new ArrayList<>();
            for (KeyValue kv : tx.getRange(prefix, Keys.prefixEnd(prefix)).join()) {
                if (!java.util.Arrays.equals(kv.key(), SchemaKeys.changes(tenant))
                        && (withIdCounter || !java.util.Arrays.equals(kv.key(), SchemaKeys.lastId(tenant)))) {
                    keys.add(Keys.printable(kv.key()) + "=" + Keys.printable(kv.value()));
                }
            }
            return keys;
        });
    }

    @Test
    void identicalSchemasShareAnIdWhateverTheirFormatting() {
        SubjectVersion first = register("acme", "orders-value", ORDER);
        assertEquals(new SubjectVersion("orders-value", 1, 1, false), first);
        // White space, attribute order and a repeated registration change nothing.
        String reformatted = "{ \"namespace\" : \"shop\", \"name\":\"Order\",\n \"fields\":[ {\"type\":\"string\",\"name\":\"id\"} ], \"type\":\"record\" }";
        assertEquals(first, register("acme", "orders-value", reformatted));
        assertEquals(first, register("acme", "orders-value", ORDER));
        assertEquals(List.of(1), registry.versions("acme", "orders-value", false));
        // The same schema under another subject: same id, that subject's version 1.
        assertEquals(new SubjectVersion("archive", 1, 1, false), register("acme", "archive", reformatted));
        // Stored in canonical form.
        assertEquals("{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}",
                registry.schema("acme", 1).schema());
        // What identifies a schema beyond formatting: doc and defaults are part of it (as in Confluent's registry).
        int withDoc = register("acme", "docs", ORDER.replace("\"fields\"", "\"doc\":\"an order\",\"fields\"")).id();
        assertEquals(2, withDoc);
        // {"type":"string"} and "string" are the same Avro schema.
        int string1 = register("acme", "p1", "{\"type\":\"string\"}").id();
        assertEquals(string1, register("acme", "p2", "\"string\"").id());
        assertEquals("\"string\"", registry.schema("acme", string1).schema());
        assertEquals(List.of(new SubjectVersion("archive", 1, 1, false), new SubjectVersion("orders-value", 1, 1, false)),
                registry.versionsOf("acme", 1, false));
        // Lookup finds the version by content, in any formatting.
        assertEquals(first, registry.lookup("acme", "orders-value", SchemaInput.avro(reformatted), false).version());
        assertEquals(SchemaErrorCode.SCHEMA_NOT_FOUND, codeOf(() -> registry.lookup("acme", "orders-value", SchemaInput.avro(ORDER_V2), false)));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.lookup("acme", "nothing", SchemaInput.avro(ORDER), false)));
    }

    @Test
    void idsArePerTenantStableAndNeverReused() {
        assertEquals(1, register("acme", "a", ORDER).id());
        assertEquals(2, register("acme", "a", ORDER_V2).id());
        // Tenants count on their own and see only their own ids.
        assertEquals(1, register("other", "a", ORDER_V2).id());
        assertEquals(ORDER_V2.length() > 0, registry.schema("other", 1).schema().contains("qty"));
        assertFalse(registry.schema("acme", 1).schema().contains("qty"));
        assertEquals(SchemaErrorCode.SCHEMA_NOT_FOUND, codeOf(() -> registry.schema("other", 2)));
        assertEquals(List.of("a"), registry.subjects("other", false, null));

        // Hard-deleting everything that used id 2 removes it; the same schema registered again gets a new id, never 2 for anything else.
        registry.deleteVersion("acme", "a", new VersionRef(2), false);
        assertEquals(2, registry.schema("acme", 2).id(), "a soft-deleted version's schema is still served by id");
        registry.deleteVersion("acme", "a", new VersionRef(2), true);
        assertEquals(SchemaErrorCode.SCHEMA_NOT_FOUND, codeOf(() -> registry.schema("acme", 2)));
        SubjectVersion again = register("acme", "a", ORDER_V2);
        assertEquals(3, again.id());
        assertEquals(2, again.version(), "version numbers continue after the highest remaining version");
        assertEquals(4, register("acme", "b", "\"int\"").id());
        assertEquals(1, registry.schema("acme", 1).id());
    }

    @Test
    void concurrentRegistrationsGetDistinctIdsAndOneIdPerSchema() throws Exception {
        registry.setTenantCompatibility("acme", CompatibilityLevel.NONE);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<SubjectVersion>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                // 20 distinct schemas, each registered twice under different subjects, all at once.
                results.add(pool.submit(() -> register("acme", "s" + n, "{\"type\":\"fixed\",\"name\":\"F" + (n % 20) + "\",\"size\":4}")));
            }
            java.util.Map<Integer, Integer> idBySchema = new java.util.HashMap<>();
            for (int i = 0; i < results.size(); i++) {
                int id = results.get(i).get().id();
                Integer previous = idBySchema.putIfAbsent(i % 20, id);
                if (previous != null) {
                    assertEquals(previous, id, "both registrations of schema " + (i % 20));
                }
            }
            assertEquals(20, new java.util.HashSet<>(idBySchema.values()).size());
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList(),
                    idBySchema.values().stream().sorted().toList(), "ids are dense: no id was allocated and lost");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void softAndHardDeleteRules() {
        register("acme", "orders", ORDER);
        register("acme", "orders", ORDER_V2);
        registry.setSubjectCompatibility("acme", "orders", CompatibilityLevel.FULL);
        assertEquals(SchemaErrorCode.VERSION_NOT_SOFT_DELETED, codeOf(() -> registry.deleteVersion("acme", "orders", new VersionRef(1), true)));
        assertEquals(1, registry.deleteVersion("acme", "orders", new VersionRef(1), false));
        assertEquals(SchemaErrorCode.VERSION_SOFT_DELETED, codeOf(() -> registry.deleteVersion("acme", "orders", new VersionRef(1), false)));
        assertEquals(SchemaErrorCode.VERSION_NOT_FOUND, codeOf(() -> registry.version("acme", "orders", new VersionRef(1), false)));
        assertTrue(registry.version("acme", "orders", new VersionRef(1), true).version().deleted());
        assertEquals(List.of(2), registry.versions("acme", "orders", false));
        assertEquals(List.of(1, 2), registry.versions("acme", "orders", true));
        assertEquals(SchemaErrorCode.VERSION_NOT_FOUND, codeOf(() -> registry.deleteVersion("acme", "orders", new VersionRef(7), false)));

        // Deleting the subject soft-deletes its live versions and drops its own settings.
        assertEquals(SchemaErrorCode.SUBJECT_NOT_SOFT_DELETED, codeOf(() -> registry.deleteSubject("acme", "orders", true)));
        assertEquals(List.of(2), registry.deleteSubject("acme", "orders", false));
        assertEquals(Optional.empty(), registry.subjectCompatibility("acme", "orders"));
        assertEquals(SchemaErrorCode.SUBJECT_SOFT_DELETED, codeOf(() -> registry.deleteSubject("acme", "orders", false)));
        assertEquals(List.of(), registry.subjects("acme", false, null));
        assertEquals(List.of("orders"), registry.subjects("acme", true, null));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.versions("acme", "orders", false)));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.version("acme", "orders", VersionRef.LATEST, false)));
        assertEquals(2, registry.version("acme", "orders", VersionRef.LATEST, true).version().version());
        // Schemas of soft-deleted versions are still served by id (old data must stay readable).
        assertTrue(registry.schema("acme", 2).schema().contains("qty"));
        assertEquals(List.of(), registry.versionsOf("acme", 2, false));
        assertEquals(1, registry.versionsOf("acme", 2, true).size());

        assertEquals(List.of(1, 2), registry.deleteSubject("acme", "orders", true));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.deleteSubject("acme", "orders", false)));
        assertEquals(List.of(), registry.subjects("acme", true, null));
        assertEquals(SchemaErrorCode.SCHEMA_NOT_FOUND, codeOf(() -> registry.schema("acme", 1)));
        assertEquals(List.of(), registryKeys("acme", false),
                "a permanently deleted subject leaves only the id counter behind");
        // Registering afterwards starts the subject at version 1 with a new id.
        assertEquals(new SubjectVersion("orders", 1, 3, false), register("acme", "orders", ORDER));
    }

    @Test
    void referencesResolveAndProtectWhatTheyReferTo() {
        SubjectVersion address = register("acme", "address", ADDRESS);
        SchemaInput customer = new SchemaInput("AVRO", CUSTOMER, List.of(new SchemaReference("shop.Address", "address", -1)));
        SubjectVersion c = registry.register("acme", "customer", customer, null, null);
        RegisteredSchema stored = registry.schema("acme", c.id());
        // "latest" is pinned to the version it meant; the referenced type stays a name in the canonical text.
        assertEquals(List.of(new SchemaReference("shop.Address", "address", 1)), stored.references());
        assertTrue(stored.schema().contains("\"type\":\"Address\""), stored.schema());
        assertEquals(List.of(c.id()), registry.referencedBy("acme", "address", new VersionRef(1)));
        // Registering again with the pinned reference is the same schema.
        assertEquals(c, registry.register("acme", "customer", new SchemaInput("AVRO", CUSTOMER,
                List.of(new SchemaReference("shop.Address", "address", 1))), null, null));
        assertEquals(c, registry.lookup("acme", "customer", customer, false).version());

        // The referenced version cannot be deleted, soft or hard, while the referrer's schema exists.
        assertEquals(SchemaErrorCode.REFERENCE_EXISTS, codeOf(() -> registry.deleteVersion("acme", "address", new VersionRef(1), false)));
        assertEquals(SchemaErrorCode.REFERENCE_EXISTS, codeOf(() -> registry.deleteSubject("acme", "address", false)));
        registry.deleteSubject("acme", "customer", false);
        assertEquals(SchemaErrorCode.REFERENCE_EXISTS, codeOf(() -> registry.deleteSubject("acme", "address", false)),
                "a soft-deleted referrer still needs what it refers to");
        registry.deleteSubject("acme", "customer", true);
        assertEquals(List.of(), registry.referencedBy("acme", "address", new VersionRef(1)));
        assertEquals(List.of(1), registry.deleteSubject("acme", "address", false));
        assertEquals(address.id(), registry.schema("acme", address.id()).id());

        // Missing references, bad reference versions, types the schema does not define: INVALID_SCHEMA, nothing stored.
        List<String> before = registryKeys("acme");
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> registry.register("acme", "c2", new SchemaInput("AVRO", CUSTOMER,
                List.of(new SchemaReference("shop.Address", "nowhere", 1))), null, null)));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> registry.register("acme", "c2", new SchemaInput("AVRO", CUSTOMER,
                List.of(new SchemaReference("shop.Address", "address", 0))), null, null)));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "c2", CUSTOMER)));
        assertEquals(before, registryKeys("acme"));
    }

    @Test
    void transitiveReferencesAreResolvedInOrder() {
        register("acme", "address", ADDRESS);
        registry.register("acme", "customer", new SchemaInput("AVRO", CUSTOMER,
                List.of(new SchemaReference("shop.Address", "address", 1))), null, null);
        String order = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"buyer\",\"type\":\"shop.Customer\"}]}";
        SubjectVersion o = registry.register("acme", "order", new SchemaInput("AVRO", order,
                List.of(new SchemaReference("shop.Customer", "customer", 1))), null, null);
        assertEquals(3, o.id());
        // Evolving the referrer is checked for compatibility with its references resolved on both sides.
        String order2 = order.replace("}]}", "},{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"}]}");
        assertEquals(2, registry.register("acme", "order", new SchemaInput("AVRO", order2,
                List.of(new SchemaReference("shop.Customer", "customer", 1))), null, null).version());
    }

    @Test
    void modes() {
        register("acme", "orders", ORDER);
        registry.setSubjectMode("acme", "orders", Mode.READONLY, false);
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> register("acme", "orders", ORDER_V2)));
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> registry.deleteVersion("acme", "orders", VersionRef.LATEST, false)));
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> registry.deleteSubject("acme", "orders", false)));
        // An identical schema is answered even in READONLY mode: serializers that register on every start keep working.
        assertEquals(1, register("acme", "orders", ORDER).id());
        assertEquals(1, register("acme", "other", ORDER).id(), "other subjects follow the tenant's mode");
        assertEquals(Mode.READONLY, registry.deleteSubjectMode("acme", "orders"));
        assertEquals(SchemaErrorCode.SUBJECT_MODE_NOT_CONFIGURED, codeOf(() -> registry.deleteSubjectMode("acme", "orders")));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.deleteSubjectMode("acme", "never")));

        // Explicit ids and versions need IMPORT; IMPORT needs them and does not check compatibility.
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> registry.register("acme", "orders", SchemaInput.avro(ORDER_V2), 50, null)));
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> registry.setTenantMode("acme", Mode.IMPORT, false)),
                "a tenant with subjects enters IMPORT only when forced");
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> registry.setSubjectMode("acme", "orders", Mode.IMPORT, false)));
        registry.setSubjectMode("acme", "imported", Mode.IMPORT, false);
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED, codeOf(() -> register("acme", "imported", ORDER_V2)));
        String incompatible = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";
        assertEquals(new SubjectVersion("imported", 5, 100, false),
                registry.register("acme", "imported", SchemaInput.avro(incompatible), 100, 5));
        assertEquals(new SubjectVersion("imported", 6, 1, false), registry.register("acme", "imported", SchemaInput.avro(ORDER), 1, 6));
        assertEquals(SchemaErrorCode.ID_DOES_NOT_MATCH, codeOf(() -> registry.register("acme", "imported", SchemaInput.avro(ORDER), 7, null)));
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED,
                codeOf(() -> registry.register("acme", "imported", SchemaInput.avro(ORDER_V2), 100, null)), "id 100 names another schema");
        assertEquals(SchemaErrorCode.OPERATION_NOT_PERMITTED,
                codeOf(() -> registry.register("acme", "imported", SchemaInput.avro(ORDER_V2), 101, 5)), "version 5 is taken");
        assertEquals(SchemaErrorCode.INVALID_VERSION, codeOf(() -> registry.register("acme", "imported", SchemaInput.avro(ORDER_V2), 101, 0)));
        // The counter moved past the imported id: the next allocated id does not collide.
        registry.setSubjectMode("acme", "imported", Mode.READWRITE, false);
        assertEquals(101, registry.register("acme", "fresh", SchemaInput.avro("\"bytes\""), null, null).id());
        assertEquals(Mode.READWRITE, registry.tenantMode("acme"));
        assertEquals(Mode.IMPORT, registry.setTenantMode("acme", Mode.IMPORT, true));
        assertEquals(Mode.IMPORT, registry.effectiveMode("acme", "fresh"));
        assertEquals(Mode.READWRITE, registry.effectiveMode("acme", "imported"));
    }

    @Test
    void badInputIsRefusedAndStoresNothing() {
        register("acme", "orders", ORDER);
        List<String> before = registryKeys("acme");
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders", "{\"type\":\"record\",\"name\":\"X\"}")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders", "not json")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders", "{\"type\":\"strin\"}")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders",
                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders", "")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> register("acme", "orders", "{\"type\":\"string\"} trailing")));
        assertEquals(SchemaErrorCode.INVALID_SCHEMA, codeOf(() -> registry.register("acme", "orders",
                new SchemaInput("PROTOBUF", "syntax = \"proto3\";", List.of()), null, null)));
        String huge = "{\"type\":\"record\",\"name\":\"Big\",\"doc\":\"" + "x".repeat(5000) + "\",\"fields\":[]}";
        assertEquals(SchemaErrorCode.SCHEMA_TOO_LARGE, codeOf(() -> register("acme", "orders", huge)));
        assertEquals(SchemaErrorCode.INVALID_SUBJECT, codeOf(() -> register("acme", "", ORDER)));
        assertEquals(SchemaErrorCode.INVALID_SUBJECT, codeOf(() -> register("acme", "a\u0000b", ORDER)));
        assertEquals(SchemaErrorCode.INVALID_SUBJECT, codeOf(() -> register("acme", "x".repeat(1001), ORDER)));
        assertEquals(SchemaErrorCode.INVALID_SUBJECT, codeOf(() -> register("acme", ":.ctx:orders", ORDER)));
        assertEquals(SchemaErrorCode.SUBJECT_NOT_FOUND, codeOf(() -> registry.versions("acme", "x".repeat(5000), false)),
                "a name that cannot exist is simply not found when read");
        assertEquals(SchemaErrorCode.INVALID_COMPATIBILITY_LEVEL, codeOf(() -> CompatibilityLevel.parse("SIDEWAYS")));
        assertEquals(SchemaErrorCode.INVALID_MODE, codeOf(() -> Mode.parse("READMOSTLY")));
        assertEquals(SchemaErrorCode.INVALID_VERSION, codeOf(() -> VersionRef.parse("0")));
        assertEquals(SchemaErrorCode.INVALID_VERSION, codeOf(() -> VersionRef.parse("two")));
        assertEquals(before, registryKeys("acme"));
        assertEquals(2, register("acme", "orders", ORDER_V2).id(), "no id was used up by the refused requests");
    }

    @Test
    void largeSchemasAreStoredInChunks() {
        SchemaRegistry roomy = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 12_000; i++) {
            fields.append(i == 0 ? "" : ",").append("{\"name\":\"field_").append(i).append("\",\"type\":\"string\",\"default\":\"\"}");
        }
        String big = "{\"type\":\"record\",\"name\":\"Wide\",\"fields\":[" + fields + "]}";
        assertTrue(big.length() > 3 * 90_000, "spans several chunks: " + big.length());
        int id = roomy.register("acme", "wide", SchemaInput.avro(big), null, null).id();
        assertEquals(big, roomy.schema("acme", id).schema());
        assertEquals(id, roomy.register("acme", "wide", SchemaInput.avro(big), null, null).id());
    }

    @Test
    void lookupCachesPositiveAnswersAndForgetsOnWrites() {
        long[] now = {0};
        SchemaLookup lookup = new SchemaLookup(registry, 100, java.time.Duration.ofSeconds(30), () -> now[0]);
        SubjectVersion v = register("acme", "orders", ORDER);
        assertTrue(lookup.subjectHasId("acme", "orders", v.id()));
        assertFalse(lookup.subjectHasId("acme", "orders", 99));
        assertFalse(lookup.subjectHasId("other", "orders", v.id()), "ids are per tenant");
        assertEquals(ORDER, lookup.schema("acme", v.id()).orElseThrow().schema());
        assertEquals(Optional.empty(), lookup.schema("other", v.id()));
        assertEquals(2, lookup.cachedEntries(), "only positive answers are kept");

        // A write through the registry on this node drops the tenant's entries at once.
        registry.deleteVersion("acme", "orders", new VersionRef(1), false);
        assertEquals(0, lookup.cachedEntries());
        assertFalse(lookup.subjectHasId("acme", "orders", v.id()), "a soft-deleted version no longer validates its id");
        assertTrue(lookup.schema("acme", v.id()).isPresent(), "but its schema is still served by id");

        // A change the cache did not see (another node) is seen once the entry expires.
        SchemaRegistry otherNode = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
        otherNode.register("acme", "orders", SchemaInput.avro(ORDER_V2), null, null);
        assertTrue(lookup.subjectHasId("acme", "orders", 2));
        otherNode.deleteVersion("acme", "orders", new VersionRef(2), false);
        assertTrue(lookup.subjectHasId("acme", "orders", 2), "within the time to live the cached answer stands");
        now[0] += java.time.Duration.ofSeconds(31).toNanos();
        assertFalse(lookup.subjectHasId("acme", "orders", 2));
    }

    @Test
    void theRegistryLivesInTheTenantSubspace() {
        register("acme", "orders", ORDER);
        byte[] tenant = RootKeySpace.tenant("acme").pack();
        byte[] registryPrefix = SchemaKeys.registry("acme").pack();
        assertTrue(Keys.compare(registryPrefix, tenant) > 0 && Keys.compare(registryPrefix, Keys.prefixEnd(tenant)) < 0);
        assertNotEquals(List.of(), registryKeys("acme"));
        // Clearing the tenant subspace (what deleting a tenant does) removes every schema.
        store.run(tx -> {
            tx.clearRange(tenant, Keys.prefixEnd(tenant));
            return null;
        });
        assertEquals(List.of(), registry.subjects("acme", true, null));
    }
}
