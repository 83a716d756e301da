package dev.tributary.client.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin API's value types: wire names, the checks in their constructors, what toString leaves out. */
class AdminValuesTest {
    @Test
    void aclEnumsMapWireNamesBothWays() {
        for (AclOperation op : AclOperation.values()) {
            if (op != AclOperation.UNKNOWN) {
                assertEquals(op, AclOperation.fromWire(op.wireName()));
            }
        }
        assertEquals("describe-configs", AclOperation.DESCRIBE_CONFIGS.wireName());
        assertEquals(AclOperation.ALTER_CONFIGS, AclOperation.fromWire("ALTER_CONFIGS"), "case and '_' are forgiven");
        assertEquals("transactional-id", AclResourceType.TRANSACTIONAL_ID.wireName());
        assertEquals(AclResourceType.TRANSACTIONAL_ID, AclResourceType.fromWire(" transactional-id "));
        // A value from a newer server is UNKNOWN, not a failure.
        assertEquals(AclOperation.UNKNOWN, AclOperation.fromWire("idempotent-write"));
        assertEquals(AclPatternType.UNKNOWN, AclPatternType.fromWire(null));
        assertEquals(AclPermission.DENY, AclPermission.fromWire("deny"));
    }

    @Test
    void newAclFactories() {
        NewAcl allow = NewAcl.allow("sa-x", AclOperation.READ, AclResourceType.TOPIC, "orders");
        assertEquals(AclPatternType.LITERAL, allow.patternType());
        assertEquals(AclPermission.ALLOW, allow.permission());
        NewAcl prefix = NewAcl.deny("*", AclOperation.WRITE, AclResourceType.TOPIC, "audit-").prefixed();
        assertEquals(AclPatternType.PREFIXED, prefix.patternType());
        assertEquals(AclPermission.DENY, prefix.permission());
        assertThrows(NullPointerException.class, () -> NewAcl.allow(null, AclOperation.READ, AclResourceType.TOPIC, "x"));
    }

    @Test
    void offsetResetNeedsATimestampExactlyForTimestamp() {
        assertNull(OffsetReset.toEarliest().timestampMs());
        assertEquals(List.of(), OffsetReset.toLatest().topics());
        OffsetReset t = OffsetReset.toTimestamp(1234).forTopics(List.of("a", "b"));
        assertEquals(1234L, t.timestampMs());
        assertEquals(List.of("a", "b"), t.topics());
        assertThrows(IllegalArgumentException.class, () -> new OffsetReset("timestamp", null, null));
        assertThrows(IllegalArgumentException.class, () -> new OffsetReset("earliest", 5L, null));
        assertThrows(IllegalArgumentException.class, () -> new OffsetReset("yesterday", null, null));
    }

    @Test
    void credentialsNeverPrintTheSecret() {
        ServiceAccount account = new ServiceAccount("sa-abc", "sa-abc", "acme", "ops", ServiceAccount.MEMBER, Instant.EPOCH,
                Instant.EPOCH);
        ServiceAccountCredentials c = new ServiceAccountCredentials(account, "s3cret-value");
        assertEquals("sa-abc", c.clientId());
        assertFalse(c.toString().contains("s3cret-value"), c.toString());
        assertTrue(c.toString().contains("sa-abc"), c.toString());
    }

    @Test
    void quotaLimitsChangeOneLimitAtATime() {
        QuotaLimits limits = QuotaLimits.UNLIMITED.withTopics(10L).withConnections(5L);
        assertEquals(new QuotaLimits(null, null, null, null, 10L, null, 5L), limits);
        assertEquals(new QuotaLimits(1L, 2L, 3L, 4L, null, 6L, 5L), limits.withProduceBytesPerSecond(1L).withFetchBytesPerSecond(2L)
                .withRequestsPerSecond(3L).withStorageBytes(4L).withTopics(null).withPartitions(6L));
    }

    @Test
    void pagesAndPools() {
        assertNull(new Page<>(List.of(1), "").nextPageToken(), "an empty token means the last page");
        assertTrue(new Page<>(List.of(1), "abc").next().isPresent());
        IdentityPool pool = IdentityPool.of("corp", "https://idp.example", "tributary").withAdmins("groups", List.of("admins"));
        assertEquals("sub", pool.principalClaim());
        assertEquals(List.of("admins"), pool.adminValues());
        assertEquals(List.of(), IdentityPool.of("p", "https://i.example", "a").adminValues());
    }
}
