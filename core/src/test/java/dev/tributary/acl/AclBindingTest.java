package dev.tributary.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Validation with the field at fault, wire names, and ids derived from the content. */
class AclBindingTest {
    static final String SA = "sa-abcdefghijklmnopqrst";

    static AclBinding parse(String principal, String op, String type, String pattern, String name, String permission) {
        return AclBinding.parse(principal, op, type, pattern, name, permission);
    }

    static AclException invalid(String field, Runnable r) {
        AclException e = assertThrows(AclException.class, r::run);
        assertEquals(AclErrorCode.INVALID_ACL, e.code());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.detail().startsWith(field + " "), "the detail names the field first: " + e.detail());
        return e;
    }

    @Test
    void wireNamesAreLowerCaseWithHyphens() {
        assertEquals(List.of("all", "read", "write", "create", "delete", "describe", "alter", "describe-configs", "alter-configs"),
                java.util.Arrays.stream(AclOperation.values()).map(AclOperation::wireName).toList());
        assertEquals(List.of("tenant", "topic", "group", "subject", "transactional-id"),
                java.util.Arrays.stream(AclResourceType.values()).map(AclResourceType::wireName).toList());
        assertEquals("prefixed", AclPatternType.PREFIXED.wireName());
        assertEquals("deny", AclPermission.DENY.wireName());
        for (AclOperation op : AclOperation.values()) {
            assertEquals(op, AclOperation.fromWire(op.wireName()));
        }
        assertEquals(null, AclOperation.fromWire("DESCRIBE_CONFIGS"));
        assertEquals(AclResourceType.TRANSACTIONAL_ID, AclResourceType.fromWire("transactional-id"));
    }

    @Test
    void parsesEveryValidShape() {
        AclBinding b = parse(SA, "describe-configs", "topic", "prefixed", "orders.", "allow");
        assertEquals(new AclBinding(SA, AclOperation.DESCRIBE_CONFIGS, AclResourceType.TOPIC, AclPatternType.PREFIXED, "orders.",
                AclPermission.ALLOW), b);
        parse("*", "all", "topic", "literal", "*", "deny");
        parse("corp:alice@example.com", "read", "group", "literal", "payments-consumers", "allow");
        parse("corp:user:with:colons", "read", "group", "prefixed", "*", "allow");
        parse(SA, "create", "tenant", "literal", "acme", "allow");
        parse(SA, "create", "tenant", "literal", "*", "allow");
        parse(SA, "write", "subject", "literal", "orders-value", "allow");
        parse(SA, "write", "transactional-id", "prefixed", "app-", "allow");
        parse(SA, "read", "topic", "literal", "a".repeat(249), "allow");
    }

    @Test
    void eachInvalidFieldIsNamed() {
        invalid("principal", () -> parse(null, "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("alice", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("sa-short", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("SA-ABCDEFGHIJKLMNOPQRST", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("Corp:alice", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("corp:", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse(":alice", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("corp:ali\nce", "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("corp:" + "x".repeat(1001), "read", "topic", "literal", "t", "allow"));
        invalid("principal", () -> parse("**", "read", "topic", "literal", "t", "allow"));

        invalid("operation", () -> parse(SA, null, "topic", "literal", "t", "allow"));
        AclException op = invalid("operation", () -> parse(SA, "READ", "topic", "literal", "t", "allow"));
        assertTrue(op.detail().contains("all, read, write, create, delete, describe, alter, describe-configs, alter-configs"),
                op.detail());
        AclException meaningless = invalid("operation", () -> parse(SA, "write", "group", "literal", "g", "allow"));
        assertEquals("operation 'write' means nothing on resource type 'group'; it takes all, read, delete, describe",
                meaningless.detail());
        invalid("operation", () -> parse(SA, "read", "tenant", "literal", "acme", "allow"));
        invalid("operation", () -> parse(SA, "read", "transactional-id", "literal", "x", "allow"));

        invalid("resourceType", () -> parse(SA, "read", null, "literal", "t", "allow"));
        invalid("resourceType", () -> parse(SA, "read", "cluster", "literal", "t", "allow"));
        invalid("patternType", () -> parse(SA, "read", "topic", "match", "t", "allow"));
        invalid("patternType", () -> parse(SA, "read", "topic", null, "t", "allow"));
        invalid("patternType", () -> parse(SA, "create", "tenant", "prefixed", "ac", "allow"));
        invalid("permission", () -> parse(SA, "read", "topic", "literal", "t", "grant"));
        invalid("permission", () -> parse(SA, "read", "topic", "literal", "t", null));

        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", null, "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", "", "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", "bad name", "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", "..", "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", "a".repeat(250), "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "prefixed", "*", "allow"));
        invalid("resourceName", () -> parse(SA, "read", "topic", "literal", "or*", "allow"));
        invalid("resourceName", () -> parse(SA, "read", "group", "literal", "has space", "allow"));
        invalid("resourceName", () -> parse(SA, "create", "tenant", "literal", "Acme", "allow"));
        invalid("resourceName", () -> parse(SA, "write", "subject", "literal", "x".repeat(1001), "allow"));
        invalid("resourceName", () -> parse(SA, "write", "subject", "literal", "a\u0000b", "allow"));
    }

    @Test
    void theTenantResourceNamesItsOwnTenant() {
        AclBinding own = parse(SA, "create", "tenant", "literal", "acme", "allow");
        own.validateFor("acme");
        parse(SA, "create", "tenant", "literal", "*", "allow").validateFor("acme");
        AclException e = assertThrows(AclException.class, () -> own.validateFor("globex"));
        assertEquals("resourceName", e.field());
        parse(SA, "read", "topic", "literal", "acme", "allow").validateFor("globex"); // only the tenant type is tied to it
    }

    @Test
    void idIsDerivedFromTheSixFieldsAndStable() {
        AclBinding b = parse(SA, "read", "topic", "literal", "orders", "allow");
        // The id is part of the API (URLs, duplicates): this value must never change. It is the first
        // 20 base32 characters of SHA-256("\x02sa-abc...\x00\x02read\x00..."), the tuple encoding.
        assertEquals("73r2j4l3qq3yd2qfv2jn", b.id());
        assertTrue(AclBinding.ID.matcher(b.id()).matches());
        assertEquals(b.id(), parse(SA, "read", "topic", "literal", "orders", "allow").id());
        Set<String> ids = new HashSet<>();
        ids.add(b.id());
        ids.add(parse("*", "read", "topic", "literal", "orders", "allow").id());
        ids.add(parse(SA, "write", "topic", "literal", "orders", "allow").id());
        ids.add(parse(SA, "read", "group", "literal", "orders", "allow").id());
        ids.add(parse(SA, "read", "topic", "prefixed", "orders", "allow").id());
        ids.add(parse(SA, "read", "topic", "literal", "orders2", "allow").id());
        ids.add(parse(SA, "read", "topic", "literal", "orders", "deny").id());
        assertEquals(7, ids.size(), "each field changes the id: " + ids);
        // Field boundaries are part of what is hashed: moving characters between fields changes the id.
        assertNotEquals(parse("corp:ab", "read", "group", "literal", "c", "allow").id(),
                parse("corp:a", "read", "group", "literal", "bc", "allow").id());
    }
}
