package dev.tributary.acl;

import static dev.tributary.acl.AclOperation.ALL;
import static dev.tributary.acl.AclOperation.ALTER;
import static dev.tributary.acl.AclOperation.ALTER_CONFIGS;
import static dev.tributary.acl.AclOperation.CREATE;
import static dev.tributary.acl.AclOperation.DELETE;
import static dev.tributary.acl.AclOperation.DESCRIBE;
import static dev.tributary.acl.AclOperation.DESCRIBE_CONFIGS;
import static dev.tributary.acl.AclOperation.READ;
import static dev.tributary.acl.AclOperation.WRITE;
import static dev.tributary.acl.AclPatternType.LITERAL;
import static dev.tributary.acl.AclPatternType.PREFIXED;
import static dev.tributary.acl.AclPermission.ALLOW;
import static dev.tributary.acl.AclPermission.DENY;
import static dev.tributary.acl.AclResourceType.GROUP;
import static dev.tributary.acl.AclResourceType.TENANT;
import static dev.tributary.acl.AclResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.acl.AclDecision.Basis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every evaluation rule as a table of (bindings, principal, question) -> decision; no storage involved. */
class AclEvaluationTest {
    static final String TENANT_ID = "acme";
    static final String ALICE = "sa-aaaaaaaaaaaaaaaaaaaa";
    static final String BOB = "sa-bbbbbbbbbbbbbbbbbbbb";
    static final AclPrincipal MEMBER_ALICE = new AclPrincipal(ALICE, TENANT_ID, false, false);
    static final AclPrincipal MEMBER_BOB = new AclPrincipal(BOB, TENANT_ID, false, false);
    static final AclPrincipal POOL_CAROL = new AclPrincipal("corp:carol", TENANT_ID, false, false);

    static AclBinding allow(String who, AclOperation op, AclResourceType type, AclPatternType pattern, String name) {
        return AclBinding.of(who, op, type, pattern, name, ALLOW);
    }

    static AclBinding deny(String who, AclOperation op, AclResourceType type, AclPatternType pattern, String name) {
        return AclBinding.of(who, op, type, pattern, name, DENY);
    }

    static AclDecision decide(List<AclBinding> bindings, AclPrincipal who, AclOperation op, AclResourceType type, String name) {
        return AclEvaluator.evaluate(who, TENANT_ID, op, type, name, () -> new AclRules(bindings));
    }

    record Row(String why, List<AclBinding> bindings, AclPrincipal who, AclOperation op, AclResourceType type, String name,
            Basis expected) {}

    @Test
    void evaluationTable() {
        List<AclBinding> none = List.of();
        AclBinding readOrders = allow(ALICE, READ, TOPIC, LITERAL, "orders");
        List<Row> rows = new ArrayList<>();
        // Deny by default.
        rows.add(new Row("no ACL at all", none, MEMBER_ALICE, READ, TOPIC, "orders", Basis.NO_MATCHING_ACL));
        rows.add(new Row("an ACL of another principal", List.of(allow(BOB, READ, TOPIC, LITERAL, "orders")), MEMBER_ALICE,
                READ, TOPIC, "orders", Basis.NO_MATCHING_ACL));
        rows.add(new Row("an ACL of another operation", List.of(readOrders), MEMBER_ALICE, WRITE, TOPIC, "orders",
                Basis.NO_MATCHING_ACL));
        rows.add(new Row("an ACL on another topic", List.of(readOrders), MEMBER_ALICE, READ, TOPIC, "orders2",
                Basis.NO_MATCHING_ACL));
        rows.add(new Row("an ACL on a group of the same name", List.of(allow(ALICE, READ, GROUP, LITERAL, "orders")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.NO_MATCHING_ACL));
        // Literal allow.
        rows.add(new Row("literal allow", List.of(readOrders), MEMBER_ALICE, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("literal allow is case-sensitive", List.of(readOrders), MEMBER_ALICE, READ, TOPIC, "Orders",
                Basis.NO_MATCHING_ACL));
        rows.add(new Row("literal '*' matches every topic", List.of(allow(ALICE, WRITE, TOPIC, LITERAL, "*")), MEMBER_ALICE,
                WRITE, TOPIC, "anything.at-all", Basis.ALLOWED_BY_ACL));
        // Prefixed.
        List<AclBinding> prefixed = List.of(allow(ALICE, READ, TOPIC, PREFIXED, "orders."));
        rows.add(new Row("prefixed: name starting with it", prefixed, MEMBER_ALICE, READ, TOPIC, "orders.eu", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("prefixed: the prefix itself", prefixed, MEMBER_ALICE, READ, TOPIC, "orders.", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("prefixed: shorter than the prefix", prefixed, MEMBER_ALICE, READ, TOPIC, "orders", Basis.NO_MATCHING_ACL));
        rows.add(new Row("prefixed: contains but does not start with", prefixed, MEMBER_ALICE, READ, TOPIC, "x.orders.eu",
                Basis.NO_MATCHING_ACL));
        rows.add(new Row("prefixed '*' is a prefix, not a wildcard", List.of(allow(ALICE, READ, GROUP, PREFIXED, "*")),
                MEMBER_ALICE, READ, GROUP, "g1", Basis.NO_MATCHING_ACL));
        rows.add(new Row("prefixed '*' covers names starting with '*'", List.of(allow(ALICE, READ, GROUP, PREFIXED, "*")),
                MEMBER_ALICE, READ, GROUP, "*g1", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("literal wins nothing over prefixed: both allow", List.of(readOrders, allow(ALICE, READ, TOPIC, PREFIXED, "o")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        // Deny overrides allow, whatever the patterns and principals.
        rows.add(new Row("literal deny over literal allow", List.of(readOrders, deny(ALICE, READ, TOPIC, LITERAL, "orders")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.DENIED_BY_ACL));
        rows.add(new Row("prefixed deny over literal allow", List.of(readOrders, deny(ALICE, READ, TOPIC, PREFIXED, "ord")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.DENIED_BY_ACL));
        rows.add(new Row("'*' principal deny over the principal's allow", List.of(readOrders, deny("*", READ, TOPIC, LITERAL, "orders")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.DENIED_BY_ACL));
        rows.add(new Row("deny of ALL over allow of READ", List.of(readOrders, deny(ALICE, ALL, TOPIC, LITERAL, "*")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.DENIED_BY_ACL));
        rows.add(new Row("a deny elsewhere leaves the allow", List.of(readOrders, deny(ALICE, READ, TOPIC, LITERAL, "payments")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("deny of WRITE leaves READ", List.of(readOrders, deny(ALICE, WRITE, TOPIC, LITERAL, "orders")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("deny of READ does not deny DESCRIBE (implication widens allows only)",
                List.of(allow(ALICE, DESCRIBE, TOPIC, LITERAL, "orders"), deny(ALICE, READ, TOPIC, LITERAL, "orders")),
                MEMBER_ALICE, DESCRIBE, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("another principal's deny leaves the allow", List.of(readOrders, deny(BOB, READ, TOPIC, LITERAL, "orders")),
                MEMBER_ALICE, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        // '*' principal.
        rows.add(new Row("'*' principal allows every principal of the tenant", List.of(allow("*", READ, TOPIC, LITERAL, "orders")),
                MEMBER_BOB, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("'*' principal covers identity-pool principals", List.of(allow("*", READ, TOPIC, LITERAL, "orders")),
                POOL_CAROL, READ, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("an identity-pool principal by its id", List.of(allow("corp:carol", WRITE, TOPIC, LITERAL, "orders")),
                POOL_CAROL, WRITE, TOPIC, "orders", Basis.ALLOWED_BY_ACL));
        // Implied operations.
        for (AclOperation implying : List.of(READ, WRITE, DELETE, ALTER, ALL)) {
            rows.add(new Row(implying + " implies DESCRIBE", List.of(allow(ALICE, implying, TOPIC, LITERAL, "t")), MEMBER_ALICE,
                    DESCRIBE, TOPIC, "t", Basis.ALLOWED_BY_ACL));
        }
        for (AclOperation notImplying : List.of(CREATE, DESCRIBE_CONFIGS, ALTER_CONFIGS)) {
            rows.add(new Row(notImplying + " does not imply DESCRIBE", List.of(allow(ALICE, notImplying, TOPIC, LITERAL, "t")),
                    MEMBER_ALICE, DESCRIBE, TOPIC, "t", Basis.NO_MATCHING_ACL));
        }
        rows.add(new Row("ALTER_CONFIGS implies DESCRIBE_CONFIGS", List.of(allow(ALICE, ALTER_CONFIGS, TOPIC, LITERAL, "t")),
                MEMBER_ALICE, DESCRIBE_CONFIGS, TOPIC, "t", Basis.ALLOWED_BY_ACL));
        rows.add(new Row("ALTER does not imply ALTER_CONFIGS", List.of(allow(ALICE, ALTER, TOPIC, LITERAL, "t")),
                MEMBER_ALICE, ALTER_CONFIGS, TOPIC, "t", Basis.NO_MATCHING_ACL));
        rows.add(new Row("DESCRIBE does not imply READ", List.of(allow(ALICE, DESCRIBE, TOPIC, LITERAL, "t")),
                MEMBER_ALICE, READ, TOPIC, "t", Basis.NO_MATCHING_ACL));
        rows.add(new Row("WRITE does not imply READ", List.of(allow(ALICE, WRITE, TOPIC, LITERAL, "t")),
                MEMBER_ALICE, READ, TOPIC, "t", Basis.NO_MATCHING_ACL));
        for (AclOperation any : List.of(READ, WRITE, CREATE, DELETE, DESCRIBE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS)) {
            rows.add(new Row("ALL allows " + any, List.of(allow(ALICE, ALL, TOPIC, LITERAL, "t")), MEMBER_ALICE, any, TOPIC, "t",
                    Basis.ALLOWED_BY_ACL));
        }
        // The tenant resource.
        rows.add(new Row("CREATE on the tenant resource", List.of(allow(ALICE, CREATE, TENANT, LITERAL, TENANT_ID)), MEMBER_ALICE,
                CREATE, TENANT, TENANT_ID, Basis.ALLOWED_BY_ACL));
        rows.add(new Row("CREATE on the tenant resource '*'", List.of(allow(ALICE, CREATE, TENANT, LITERAL, "*")), MEMBER_ALICE,
                CREATE, TENANT, TENANT_ID, Basis.ALLOWED_BY_ACL));
        rows.add(new Row("CREATE on the tenant resource is not CREATE on a topic",
                List.of(allow(ALICE, CREATE, TENANT, LITERAL, TENANT_ID)), MEMBER_ALICE, CREATE, TOPIC, "t", Basis.NO_MATCHING_ACL));
        // Super users and other tenants: the ACLs are not even consulted.
        List<AclBinding> denyAll = List.of(deny("*", ALL, TOPIC, LITERAL, "*"));
        rows.add(new Row("tenant admin: everything, denies notwithstanding", denyAll, new AclPrincipal(BOB, TENANT_ID, true, false),
                WRITE, TOPIC, "orders", Basis.SUPER_USER));
        rows.add(new Row("platform admin: everything", denyAll, new AclPrincipal("sa-cccccccccccccccccccc", null, false, true),
                DELETE, TOPIC, "orders", Basis.SUPER_USER));
        rows.add(new Row("another tenant's admin: nothing", List.of(allow(BOB, ALL, TOPIC, LITERAL, "*")),
                new AclPrincipal(BOB, "globex", true, false), READ, TOPIC, "orders", Basis.OTHER_TENANT));
        rows.add(new Row("another tenant's principal named by this tenant's ACL: nothing", List.of(allow(BOB, ALL, TOPIC, LITERAL, "*")),
                new AclPrincipal(BOB, "globex", false, false), READ, TOPIC, "orders", Basis.OTHER_TENANT));
        rows.add(new Row("another tenant's principal, '*' principal allow: nothing", List.of(allow("*", ALL, TOPIC, LITERAL, "*")),
                new AclPrincipal(BOB, "globex", false, false), READ, TOPIC, "orders", Basis.OTHER_TENANT));
        rows.add(new Row("a tenant-admin role without a tenant: nothing", none, new AclPrincipal(BOB, null, true, false),
                READ, TOPIC, "orders", Basis.OTHER_TENANT));

        List<String> failures = new ArrayList<>();
        for (Row row : rows) {
            AclDecision d = decide(row.bindings(), row.who(), row.op(), row.type(), row.name());
            boolean expectAllowed = row.expected() == Basis.SUPER_USER || row.expected() == Basis.ALLOWED_BY_ACL;
            if (d.basis() != row.expected() || d.allowed() != expectAllowed) {
                failures.add(row.why() + ": expected " + row.expected() + ", got " + d);
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void reasonsNameTheOperationTheResourceAndTheDecidingAcl() {
        AclBinding denial = deny("*", WRITE, TOPIC, PREFIXED, "audit.");
        AclDecision denied = decide(List.of(allow(ALICE, ALL, TOPIC, LITERAL, "*"), denial), MEMBER_ALICE, WRITE, TOPIC, "audit.log");
        assertFalse(denied.allowed());
        assertEquals(denial, denied.matched());
        assertEquals("principal " + ALICE + " may not write topic 'audit.log' in tenant 'acme': an ACL denies it", denied.reason());

        AclDecision missing = decide(List.of(), MEMBER_ALICE, DESCRIBE, GROUP, "g1");
        assertNull(missing.matched());
        assertEquals("principal " + ALICE + " may not describe group 'g1' in tenant 'acme': no ACL allows it", missing.reason());

        AclBinding grant = allow(ALICE, READ, GROUP, LITERAL, "g1");
        AclDecision allowed = decide(List.of(grant), MEMBER_ALICE, DESCRIBE, GROUP, "g1");
        assertTrue(allowed.allowed());
        assertEquals(grant, allowed.matched());
        assertTrue(allowed.reason().contains(grant.id()), allowed.reason());

        AclDecision other = decide(List.of(), new AclPrincipal(ALICE, "globex", false, false), READ, TOPIC, "t");
        assertEquals("principal " + ALICE + " of tenant 'globex' has no access to tenant 'acme'", other.reason());
    }

    @Test
    void superUsersAndOtherTenantsNeverLoadTheRules() {
        AtomicInteger loads = new AtomicInteger();
        AclEvaluator.evaluate(new AclPrincipal(ALICE, TENANT_ID, true, false), TENANT_ID, READ, TOPIC, "t", () -> {
            loads.incrementAndGet();
            return AclRules.NONE;
        });
        AclEvaluator.evaluate(new AclPrincipal(ALICE, null, false, true), TENANT_ID, READ, TOPIC, "t", () -> {
            loads.incrementAndGet();
            return AclRules.NONE;
        });
        AclEvaluator.evaluate(new AclPrincipal(ALICE, "globex", false, false), TENANT_ID, READ, TOPIC, "t", () -> {
            loads.incrementAndGet();
            return AclRules.NONE;
        });
        assertEquals(0, loads.get());
    }

    @Test
    void questionsAreAboutOneConcreteOperation() {
        assertThrows(IllegalArgumentException.class, () -> decide(List.of(), MEMBER_ALICE, ALL, TOPIC, "t"));
        assertThrows(IllegalArgumentException.class, () -> decide(List.of(), MEMBER_ALICE, READ, TOPIC, null));
    }
}
