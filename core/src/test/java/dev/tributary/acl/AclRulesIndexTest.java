package dev.tributary.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.acl.AclDecision.Basis;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The indexed rules ({@link AclRules}: literal names hashed, prefixes searched in sorted order)
 * decide exactly as the rule says, checked against a plain scan of every binding on thousands of
 * random bindings and questions, with names built to hit the prefix search's corners: prefixes of
 * prefixes, prefixes that sort between a name and its own prefixes, names equal to a prefix,
 * names shorter than every prefix, and "*".
 */
class AclRulesIndexTest {
    private static final String TENANT = "acme";
    private static final String[] PRINCIPALS = {"sa-aaaaaaaaaaaaaaaaaaaa", "sa-bbbbbbbbbbbbbbbbbbbb", "corp:carol", "*"};
    /** Few distinct characters, so that random names share prefixes often. */
    private static final String ALPHABET = "ab.-";

    @Test
    void indexedDecisionsEqualAScanOfEveryBinding() {
        SplittableRandom random = new SplittableRandom(8);
        int questions = 0;
        for (int round = 0; round < 40; round++) {
            List<AclBinding> bindings = randomBindings(random, 1 + random.nextInt(round < 20 ? 30 : 600));
            AclRules rules = new AclRules(bindings);
            assertEquals(bindings.size(), rules.size());
            for (int q = 0; q < 500; q++) {
                String who = PRINCIPALS[random.nextInt(PRINCIPALS.length - 1)]; // callers are never "*" itself
                AclResourceType type = random.nextInt(4) == 0 ? AclResourceType.GROUP : AclResourceType.TOPIC;
                AclOperation op = randomOperation(random, type, false);
                String name = random.nextInt(30) == 0 ? "*" : randomName(random, 1 + random.nextInt(7));
                AclDecision indexed = rules.decide(who, TENANT, op, type, name);
                Basis expected = scan(bindings, who, op, type, name);
                assertEquals(expected, indexed.basis(), () -> who + " " + op + " " + type + " '" + name + "' over " + bindings);
                if (indexed.matched() != null) {
                    AclBinding m = indexed.matched();
                    assertTrue(bindings.contains(m) && matches(m, who, type, name)
                            && (m.permission() == AclPermission.DENY ? m.operation().denies(op) : m.operation().allows(op)),
                            () -> "the deciding ACL " + m + " does not match " + who + " " + op + " " + type + " '" + name + "'");
                }
                questions++;
            }
        }
        assertEquals(40 * 500, questions);
    }

    @Test
    void anAllowDecisionIsMadeOnceAndNamesItsAcl() {
        AclBinding grant = AclBinding.of(PRINCIPALS[0], AclOperation.WRITE, AclResourceType.TOPIC, AclPatternType.PREFIXED,
                "orders.", AclPermission.ALLOW);
        AclRules rules = new AclRules(List.of(grant));
        AclDecision first = rules.decide(PRINCIPALS[0], TENANT, AclOperation.WRITE, AclResourceType.TOPIC, "orders.eu");
        AclDecision second = rules.decide(PRINCIPALS[0], TENANT, AclOperation.DESCRIBE, AclResourceType.TOPIC, "orders.us");
        assertEquals(Basis.ALLOWED_BY_ACL, first.basis());
        assertSame(first, second);
        assertEquals("allowed by ACL " + grant.id() + " (" + grant + ")", first.reason());
    }

    /** The rule, read literally: any matching deny denies, else any matching allow allows, else no match. */
    private static Basis scan(List<AclBinding> bindings, String who, AclOperation op, AclResourceType type, String name) {
        boolean allowed = false;
        for (AclBinding b : bindings) {
            if (!matches(b, who, type, name)) {
                continue;
            }
            if (b.permission() == AclPermission.DENY && b.operation().denies(op)) {
                return Basis.DENIED_BY_ACL;
            }
            allowed |= b.permission() == AclPermission.ALLOW && b.operation().allows(op);
        }
        return allowed ? Basis.ALLOWED_BY_ACL : Basis.NO_MATCHING_ACL;
    }

    private static boolean matches(AclBinding b, String who, AclResourceType type, String name) {
        boolean principal = b.principal().equals(who) || b.principal().equals(AclBinding.ANY_PRINCIPAL);
        boolean resource = b.patternType() == AclPatternType.LITERAL
                ? b.resourceName().equals(name) || b.resourceName().equals(AclBinding.ANY_RESOURCE)
                : name.startsWith(b.resourceName());
        return principal && b.resourceType() == type && resource;
    }

    private static List<AclBinding> randomBindings(SplittableRandom random, int count) {
        Set<AclBinding> out = new LinkedHashSet<>();
        while (out.size() < count) {
            AclResourceType type = random.nextInt(4) == 0 ? AclResourceType.GROUP : AclResourceType.TOPIC;
            boolean prefixed = random.nextInt(2) == 0;
            String name = !prefixed && random.nextInt(40) == 0 ? "*" : randomName(random, 1 + random.nextInt(prefixed ? 4 : 6));
            if (!prefixed && type == AclResourceType.TOPIC && (name.equals(".") || name.equals(".."))) {
                continue; // not topic names
            }
            out.add(AclBinding.of(PRINCIPALS[random.nextInt(PRINCIPALS.length)], randomOperation(random, type, true), type,
                    prefixed ? AclPatternType.PREFIXED : AclPatternType.LITERAL, name,
                    random.nextInt(5) == 0 ? AclPermission.DENY : AclPermission.ALLOW));
        }
        return new ArrayList<>(out);
    }

    private static AclOperation randomOperation(SplittableRandom random, AclResourceType type, boolean allowAll) {
        List<AclOperation> ops = new ArrayList<>(type.operations());
        if (!allowAll) {
            ops.remove(AclOperation.ALL);
        }
        ops.sort(null);
        return ops.get(random.nextInt(ops.size()));
    }

    private static String randomName(SplittableRandom random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
