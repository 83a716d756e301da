package dev.tributary.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.embedded.EmbeddedStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CRUD, listing, the version key and the limit, on the real embedded store. */
class AclStoreTest {
    static final String SA = "sa-abcdefghijklmnopqrst";

    @TempDir
    Path dir;
    EmbeddedStore store;
    AclStore acls;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        acls = new AclStore(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static AclBinding topicAcl(String principal, String op, String name) {
        return AclBinding.parse(principal, op, "topic", "literal", name, "allow");
    }

    static AclErrorCode codeOf(Runnable r) {
        return assertThrows(AclException.class, r::run).code();
    }

    @Test
    void createGetDeleteAndTheVersionMovesWithEachChange() {
        assertEquals(0, acls.version("acme"));
        AclBinding b = topicAcl(SA, "read", "orders");
        assertEquals(b, acls.create("acme", b));
        assertEquals(1, acls.version("acme"));
        assertEquals(b, acls.get("acme", b.id()));
        assertTrue(acls.find("globex", b.id()).isEmpty(), "tenants do not share ACLs");

        assertEquals(AclErrorCode.ACL_ALREADY_EXISTS, codeOf(() -> acls.create("acme", topicAcl(SA, "read", "orders"))));
        assertEquals(1, acls.version("acme"), "a refused create changes nothing");
        assertEquals(b, acls.create("globex", b), "the same binding in another tenant is another ACL");

        assertEquals(b, acls.delete("acme", b.id()));
        assertEquals(2, acls.version("acme"));
        assertEquals(AclErrorCode.ACL_NOT_FOUND, codeOf(() -> acls.get("acme", b.id())));
        assertEquals(AclErrorCode.ACL_NOT_FOUND, codeOf(() -> acls.delete("acme", b.id())));
        assertEquals(AclErrorCode.ACL_NOT_FOUND, codeOf(() -> acls.delete("acme", "not-an-id")));
        assertEquals(AclErrorCode.ACL_NOT_FOUND, codeOf(() -> acls.get("acme", null)));
        assertEquals(2, acls.version("acme"));
        assertEquals(b, acls.get("globex", b.id()));

        // Created again: same id, version moves on (never back: a watch cannot miss it).
        acls.create("acme", b);
        assertEquals(3, acls.version("acme"));
    }

    @Test
    void bindingsLiveInTheTenantsSubspaceAndGoWithIt() {
        AclBinding b = topicAcl("*", "write", "orders");
        acls.create("acme", b);
        byte[] tenant = RootKeySpace.tenant("acme").pack();
        List<KeyValue> keys = store.read(tx -> tx.getRangeStartsWith(tenant).join());
        assertEquals(3, keys.size(), "binding, count, version");
        for (KeyValue kv : keys) {
            assertTrue(Keys.printable(kv.key()).contains("acl"), Keys.printable(kv.key()));
        }
        store.run(tx -> {
            tx.clearRange(tenant, Keys.prefixEnd(tenant)); // what deleting a tenant does
            return null;
        });
        assertTrue(acls.find("acme", b.id()).isEmpty());
        assertEquals(0, acls.snapshot("acme", false).bindings().size());
    }

    @Test
    void aPreconditionCanRefuseAndNothingIsWritten() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> acls.create("acme", topicAcl(SA, "read", "t"), tx -> {
                    throw new IllegalStateException("tenant is gone");
                }));
        assertEquals("tenant is gone", refused.getMessage());
        assertEquals(0, acls.version("acme"));
        assertEquals(0, acls.list("acme", AclFilter.ALL, null, 10).bindings().size());
    }

    @Test
    void tenantResourceAclsNameTheirOwnTenant() {
        AclException e = assertThrows(AclException.class,
                () -> acls.create("acme", AclBinding.parse(SA, "create", "tenant", "literal", "globex", "allow")));
        assertEquals(AclErrorCode.INVALID_ACL, e.code());
        assertEquals("resourceName", e.field());
        acls.create("acme", AclBinding.parse(SA, "create", "tenant", "literal", "acme", "allow"));
    }

    @Test
    void listsPagesInIdOrderWithFilters() {
        List<AclBinding> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            created.add(acls.create("acme", topicAcl(i % 2 == 0 ? SA : "*", List.of("read", "write", "describe").get(i % 3), "t" + (i % 5))));
        }
        acls.create("acme", AclBinding.parse(SA, "read", "group", "literal", "t0", "allow"));
        created.sort(Comparator.comparing(AclBinding::id));

        List<AclBinding> all = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            AclPage page = acls.list("acme", new AclFilter(null, AclResourceType.TOPIC, null), after, 7);
            assertTrue(page.bindings().size() <= 7);
            all.addAll(page.bindings());
            after = page.nextAfter();
            pages++;
        } while (after != null);
        assertEquals(4, pages);
        assertEquals(created, all, "every topic ACL once, in id order");

        AclPage bySa = acls.list("acme", new AclFilter(SA, null, null), null, 100);
        assertEquals(14, bySa.bindings().size(), "13 topic ACLs and the group ACL");
        assertNull(bySa.nextAfter());
        AclPage t0 = acls.list("acme", new AclFilter(null, null, "t0"), null, 100);
        assertEquals(6, t0.bindings().size(), "5 topic ACLs on t0 and the group t0");
        AclPage exact = acls.list("acme", new AclFilter("*", AclResourceType.TOPIC, "t1"), null, 100);
        assertEquals(created.stream().filter(b -> b.principal().equals("*") && b.resourceName().equals("t1")).toList(),
                exact.bindings());
        assertTrue(acls.list("acme", new AclFilter("corp:nobody", null, null), null, 5).bindings().isEmpty());
        AclPage exactlyFull = acls.list("acme", new AclFilter(null, AclResourceType.GROUP, null), null, 1);
        assertEquals(1, exactlyFull.bindings().size());
        assertNull(exactlyFull.nextAfter(), "a full last page says there is no next one");
        assertThrows(IllegalArgumentException.class, () -> acls.list("acme", AclFilter.ALL, null, 0));
        assertThrows(IllegalArgumentException.class, () -> acls.list("acme", AclFilter.ALL, null, AclStore.MAX_PAGE_SIZE + 1));
    }

    @Test
    void theLimitPerTenantIsEnforcedAndDeletesMakeRoom() {
        AclBinding first = acls.create("acme", topicAcl(SA, "read", "t"));
        // Reaching 10,000 through the API would take 10,000 commits; the count key is what create checks.
        store.run(tx -> {
            tx.set(AclKeySpace.count("acme"), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(AclStore.MAX_BINDINGS_PER_TENANT).array());
            return null;
        });
        long version = acls.version("acme");
        assertEquals(AclErrorCode.ACL_LIMIT_EXCEEDED, codeOf(() -> acls.create("acme", topicAcl(SA, "read", "u"))));
        assertEquals(version, acls.version("acme"));
        acls.delete("acme", first.id());
        acls.create("acme", topicAcl(SA, "read", "u"));
    }

    @Test
    void aSnapshotWatchFiresOnTheNextChangeOnly() throws Exception {
        acls.create("acme", topicAcl(SA, "read", "t"));
        AclSnapshot snapshot = acls.snapshot("acme", true);
        assertEquals(1, snapshot.version());
        assertEquals(1, snapshot.bindings().size());
        acls.create("globex", topicAcl(SA, "read", "t"));
        Thread.sleep(100);
        assertFalse(snapshot.changed().isDone(), "another tenant's change is not this tenant's");
        acls.create("acme", topicAcl(SA, "write", "t"));
        snapshot.changed().get(5, TimeUnit.SECONDS);
        assertNull(acls.snapshot("acme", false).changed());
    }
}
