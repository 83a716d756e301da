package dev.tributary.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.storage.Keys;
import dev.tributary.storage.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache: decisions answered from memory until the tenant's ACLs change, and a change made
 * through another AclStore on the same store (as another node would) seen through the watch alone,
 * within a bounded wait.
 */
class AclAuthorizerTest {
    static final String SA = "sa-abcdefghijklmnopqrst";
    static final AclPrincipal MEMBER = new AclPrincipal(SA, "acme", false, false);
    /** What the test allows the watch for its delivery; on the embedded store it takes a few milliseconds. */
    static final long BOUND_MILLIS = 2_000;

    @TempDir
    Path dir;
    EmbeddedStore store;
    AclAuthorizer authorizer;
    AclStore otherNode;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        authorizer = new AclAuthorizer(new AclStore(store), 2);
        otherNode = new AclStore(store);
    }

    @AfterEach
    void close() {
        authorizer.close();
        store.close();
    }

    boolean mayRead(String tenant, String topic) {
        return authorizer.authorize(new AclPrincipal(SA, tenant, false, false), tenant, AclOperation.READ, AclResourceType.TOPIC,
                topic).allowed();
    }

    /** Waits up to BOUND_MILLIS for {@code condition}; returns how long it took. */
    static long within(BooleanSupplier condition, String what) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (waited > BOUND_MILLIS) {
                throw new AssertionError(what + " not seen within " + BOUND_MILLIS + " ms");
            }
            Thread.sleep(1);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void answersFromMemoryUntilAChangeThroughAnotherStoreFiresTheWatch() throws Exception {
        assertFalse(mayRead("acme", "orders"));
        assertEquals(1, authorizer.loads());
        for (int i = 0; i < 100; i++) {
            assertFalse(mayRead("acme", "orders"));
        }
        assertEquals(1, authorizer.loads(), "cached: no store read per decision");
        assertTrue(authorizer.isCached("acme"));

        AclBinding grant = otherNode.create("acme", AclBinding.parse(SA, "read", "topic", "prefixed", "ord", "allow"));
        long granted = within(() -> mayRead("acme", "orders"), "the grant");
        assertTrue(authorizer.loads() >= 2);

        long loads = authorizer.loads();
        for (int i = 0; i < 100; i++) {
            assertTrue(mayRead("acme", "orders"));
        }
        assertEquals(loads, authorizer.loads(), "cached again after the reload");

        otherNode.delete("acme", grant.id());
        long revoked = within(() -> !mayRead("acme", "orders"), "the revocation");

        otherNode.create("acme", AclBinding.parse("*", "read", "topic", "literal", "*", "allow"));
        within(() -> mayRead("acme", "orders"), "a '*' grant");
        otherNode.create("acme", AclBinding.parse(SA, "all", "topic", "literal", "orders", "deny"));
        within(() -> !mayRead("acme", "orders"), "a deny over the grant");
        System.out.printf("AclAuthorizerTest: grant seen after %d ms, revocation after %d ms (bound %d ms)%n", granted, revoked,
                BOUND_MILLIS);
    }

    @Test
    void aChangeOfOneTenantKeepsTheOthersCached() throws Exception {
        mayRead("acme", "t");
        mayRead("globex", "t");
        otherNode.create("globex", AclBinding.parse(SA, "read", "topic", "literal", "t", "allow"));
        within(() -> !authorizer.isCached("globex"), "globex dropped");
        assertTrue(authorizer.isCached("acme"));
    }

    @Test
    void deletingTheTenantsKeysDropsTheCache() throws Exception {
        otherNode.create("acme", AclBinding.parse(SA, "read", "topic", "literal", "t", "allow"));
        assertTrue(mayRead("acme", "t"));
        byte[] tenant = RootKeySpace.tenant("acme").pack();
        store.run(tx -> {
            tx.clearRange(tenant, Keys.prefixEnd(tenant));
            return null;
        });
        within(() -> !mayRead("acme", "t"), "the tenant's deletion");
    }

    @Test
    void invalidateDropsAtOnceAndTheLeastRecentlyUsedTenantGoesBeyondTheLimit() throws Exception {
        mayRead("acme", "t");
        authorizer.invalidate("acme");
        assertFalse(authorizer.isCached("acme"));
        mayRead("acme", "t");
        Thread.sleep(2);
        mayRead("globex", "t");
        Thread.sleep(2);
        mayRead("acme", "t"); // acme used last: globex is the least recently used
        Thread.sleep(2);
        mayRead("initech", "t"); // a third tenant, the limit is 2
        assertTrue(authorizer.isCached("acme"));
        assertFalse(authorizer.isCached("globex"));
        assertTrue(authorizer.isCached("initech"));
        // An evicted tenant still decides correctly (it loads again).
        otherNode.create("globex", AclBinding.parse(SA, "read", "topic", "literal", "t", "allow"));
        assertTrue(mayRead("globex", "t"));
    }

    @Test
    void withoutACacheEveryDecisionReadsTheStore() {
        try (AclAuthorizer uncached = new AclAuthorizer(new AclStore(store), 0)) {
            otherNode.create("acme", AclBinding.parse(SA, "read", "topic", "literal", "t", "allow"));
            assertTrue(uncached.authorize(MEMBER, "acme", AclOperation.READ, AclResourceType.TOPIC, "t").allowed());
            otherNode.delete("acme", AclBinding.parse(SA, "read", "topic", "literal", "t", "allow").id());
            assertFalse(uncached.authorize(MEMBER, "acme", AclOperation.READ, AclResourceType.TOPIC, "t").allowed(),
                    "seen at once: nothing was cached");
            assertFalse(uncached.isCached("acme"));
            assertEquals(2, uncached.loads());
        }
    }

    @Test
    void superUsersAndOtherTenantsCostNoRead() {
        AclPrincipal admin = new AclPrincipal(SA, "acme", true, false);
        AclPrincipal platform = new AclPrincipal(SA, null, false, true);
        AclPrincipal stranger = new AclPrincipal(SA, "globex", false, false);
        for (AclOperation op : new AclOperation[] {AclOperation.READ, AclOperation.DELETE}) {
            assertTrue(authorizer.authorize(admin, "acme", op, AclResourceType.GROUP, "g").allowed());
            assertTrue(authorizer.authorize(platform, "acme", op, AclResourceType.GROUP, "g").allowed());
            assertFalse(authorizer.authorize(stranger, "acme", op, AclResourceType.GROUP, "g").allowed());
        }
        assertEquals(0, authorizer.loads());
    }
}
