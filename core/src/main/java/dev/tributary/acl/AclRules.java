package dev.tributary.acl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's bindings indexed for evaluation: by resource type, then by principal (with "*" as one
 * more principal), then by resource name: literal names in a hash map, prefixes in a sorted array.
 * A decision therefore looks only at the bindings whose pattern covers the name asked about (a
 * hash lookup for the name, one for the literal "*", and a few binary searches for the prefixes
 * of the name), however many bindings the tenant has: a tenant may have 10,000, and a decision
 * runs on every produce and fetch.
 *
 * <p>The index by name of one principal's bindings on one type is built the first time a
 * decision needs it, so the reload after an ACL change indexes only what is asked about (mostly
 * the callers' topic bindings and those of "*"), not all of the tenant's. Thread-safe; what a
 * decision sees never changes.
 */
public final class AclRules {
    public static final AclRules NONE = new AclRules(List.of());

    private static final Rule[] NO_RULES = new Rule[0];

    private final Map<AclResourceType, Map<String, Group>> index = new EnumMap<>(AclResourceType.class);
    private final int size;

    public AclRules(Collection<AclBinding> bindings) {
        for (AclBinding b : bindings) {
            index.computeIfAbsent(b.resourceType(), t -> new HashMap<>()).computeIfAbsent(b.principal(), p -> new Group()).bindings
                    .add(b);
        }
        this.size = bindings.size();
    }

    public int size() {
        return size;
    }

    /**
     * The ACL-only decision for {@code principalId}, a principal of the tenant these rules belong
     * to who is not a super user: denied if a deny matches, else allowed if an allow matches, else
     * denied by default. A binding matches when its principal is the caller or "*", its type is
     * {@code type}, its pattern covers {@code name} (literal: equal, or the literal "*"; prefixed:
     * a prefix of it), and its operation is {@code operation} or ALL, or, for allows only, implies
     * it ({@link AclOperation#allows}). When several allows match, the caller's own come before
     * those of "*", and within them literal before prefixed, longer prefixes first.
     */
    AclDecision decide(String principalId, String tenant, AclOperation operation, AclResourceType type, String name) {
        Map<String, Group> byPrincipal = index.get(type);
        Matched m = new Matched();
        if (byPrincipal != null) {
            Group own = byPrincipal.get(principalId);
            if (own != null) {
                own.bucket().match(name, operation, m);
            }
            Group any = principalId.equals(AclBinding.ANY_PRINCIPAL) ? null : byPrincipal.get(AclBinding.ANY_PRINCIPAL);
            if (m.deny == null && any != null) {
                any.bucket().match(name, operation, m);
            }
        }
        if (m.deny != null) {
            return new AclDecision(false, AclDecision.Basis.DENIED_BY_ACL,
                    AclEvaluator.action(principalId, tenant, operation, type, name) + ": an ACL denies it", m.deny.binding);
        }
        if (m.allow != null) {
            return m.allow.allowed();
        }
        return new AclDecision(false, AclDecision.Basis.NO_MATCHING_ACL,
                AclEvaluator.action(principalId, tenant, operation, type, name) + ": no ACL allows it", null);
    }

    /** A binding, with the decision it makes when it allows (the same whatever was asked, so made once). */
    private static final class Rule {
        final AclBinding binding;
        /** Made on first use: the reason names the binding's id, a SHA-256 of it, which is not worth computing at load. */
        private volatile AclDecision allowed;

        Rule(AclBinding binding) {
            this.binding = binding;
        }

        AclDecision allowed() {
            AclDecision d = allowed;
            if (d == null) {
                // Racing threads compute equal decisions; either may be kept.
                d = new AclDecision(true, AclDecision.Basis.ALLOWED_BY_ACL, "allowed by ACL " + binding.id() + " (" + binding + ")",
                        binding);
                allowed = d;
            }
            return d;
        }
    }

    /** What matched so far: the first deny (the search stops there) and the first allow. */
    private static final class Matched {
        Rule deny;
        Rule allow;

        /** Takes {@code rules} into account; true once a deny matched. */
        boolean visit(Rule[] rules, AclOperation operation) {
            for (Rule r : rules) {
                AclBinding b = r.binding;
                if (b.permission() == AclPermission.DENY) {
                    if (b.operation().denies(operation)) {
                        deny = r;
                        return true;
                    }
                } else if (allow == null && b.operation().allows(operation)) {
                    allow = r;
                }
            }
            return false;
        }
    }

    /** One principal's bindings on one resource type, indexed by name when first needed. */
    private static final class Group {
        /** Filled by the constructor of AclRules, never changed after. */
        final List<AclBinding> bindings = new ArrayList<>();
        private volatile Bucket bucket;

        Bucket bucket() {
            Bucket b = bucket;
            if (b == null) {
                // Threads racing here build equal buckets; either may be kept.
                b = Bucket.of(bindings);
                bucket = b;
            }
            return b;
        }
    }

    /** One principal's bindings on one resource type, by name. */
    private static final class Bucket {
        /** Literal bindings by resource name; the name "*" holds those that match every name. */
        final Map<String, Rule[]> literal;
        /** The distinct prefixes of the prefixed bindings, sorted (String order), and their bindings. */
        final String[] prefixes;
        final Rule[][] prefixed;

        Bucket(Map<String, Rule[]> literal, String[] prefixes, Rule[][] prefixed) {
            this.literal = literal;
            this.prefixes = prefixes;
            this.prefixed = prefixed;
        }

        static Bucket of(List<AclBinding> bindings) {
            Map<String, List<Rule>> literal = new HashMap<>();
            Map<String, List<Rule>> prefixed = new HashMap<>();
            for (AclBinding b : bindings) {
                (b.patternType() == AclPatternType.LITERAL ? literal : prefixed)
                        .computeIfAbsent(b.resourceName(), n -> new ArrayList<>(1)).add(new Rule(b));
            }
            Map<String, Rule[]> literals = new HashMap<>(Math.max(4, literal.size() * 2));
            literal.forEach((name, rules) -> literals.put(name, rules.toArray(NO_RULES)));
            String[] prefixes = prefixed.keySet().toArray(new String[0]);
            Arrays.sort(prefixes);
            Rule[][] rules = new Rule[prefixes.length][];
            for (int i = 0; i < prefixes.length; i++) {
                rules[i] = prefixed.get(prefixes[i]).toArray(NO_RULES);
            }
            return new Bucket(literals, prefixes, rules);
        }

        /** Visits every binding of this bucket whose pattern covers {@code name}, until a deny matches. */
        void match(String name, AclOperation operation, Matched m) {
            if (m.visit(literal.getOrDefault(name, NO_RULES), operation)) {
                return;
            }
            if (!name.equals(AclBinding.ANY_RESOURCE) && m.visit(literal.getOrDefault(AclBinding.ANY_RESOURCE, NO_RULES), operation)) {
                return;
            }
            // Every stored prefix of name, longest first. At each step the longest candidate is the
            // greatest prefix <= name[0, length); if it is not a prefix of name, no prefix of name
            // longer than their common part can exist (it would sort between the two), so the search
            // goes on with that common part. The length shrinks at every step.
            int length = name.length();
            while (length > 0 && prefixes.length > 0) {
                int i = floor(name, length);
                if (i < 0) {
                    break;
                }
                String p = prefixes[i];
                int common = commonLength(p, name, length);
                if (common == p.length()) {
                    if (m.visit(prefixed[i], operation)) {
                        return;
                    }
                    length = p.length() - 1;
                } else {
                    length = common;
                }
            }
        }

        /** Index of the greatest prefix <= name[0, length) in String order, or -1. */
        private int floor(String name, int length) {
            int lo = 0;
            int hi = prefixes.length - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (compare(prefixes[mid], name, length) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }

        /** {@code a.compareTo(name.substring(0, length))} without the substring. */
        private static int compare(String a, String name, int length) {
            int n = Math.min(a.length(), length);
            for (int k = 0; k < n; k++) {
                int d = a.charAt(k) - name.charAt(k);
                if (d != 0) {
                    return d;
                }
            }
            return a.length() - length;
        }

        private static int commonLength(String a, String name, int length) {
            int n = Math.min(a.length(), length);
            int k = 0;
            while (k < n && a.charAt(k) == name.charAt(k)) {
                k++;
            }
            return k;
        }
    }
}
