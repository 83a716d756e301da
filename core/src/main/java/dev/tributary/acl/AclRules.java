package dev.tributary.acl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's bindings indexed for evaluation: by resource type, then by principal (with "*" as one
 * more principal), so a decision looks only at the bindings of the caller and of "*" for the type
 * asked about. Immutable.
 */
public final class AclRules {
    public static final AclRules NONE = new AclRules(List.of());

    private final Map<AclResourceType, Map<String, List<AclBinding>>> index = new EnumMap<>(AclResourceType.class);
    private final int size;

    public AclRules(Collection<AclBinding> bindings) {
        for (AclBinding b : bindings) {
            index.computeIfAbsent(b.resourceType(), t -> new HashMap<>()).computeIfAbsent(b.principal(), p -> new ArrayList<>()).add(b);
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
     * it ({@link AclOperation#allows}).
     */
    AclDecision decide(String principalId, String tenant, AclOperation operation, AclResourceType type, String name) {
        Map<String, List<AclBinding>> byPrincipal = index.get(type);
        AclBinding allow = null;
        if (byPrincipal != null) {
            for (String who : principalId.equals(AclBinding.ANY_PRINCIPAL)
                    ? List.of(AclBinding.ANY_PRINCIPAL) : List.of(principalId, AclBinding.ANY_PRINCIPAL)) {
                for (AclBinding b : byPrincipal.getOrDefault(who, List.of())) {
                    if (!b.matchesResource(name)) {
                        continue;
                    }
                    if (b.permission() == AclPermission.DENY) {
                        if (b.operation().denies(operation)) {
                            return new AclDecision(false, AclDecision.Basis.DENIED_BY_ACL,
                                    AclEvaluator.action(principalId, tenant, operation, type, name) + ": an ACL denies it", b);
                        }
                    } else if (allow == null && b.operation().allows(operation)) {
                        allow = b;
                    }
                }
            }
        }
        if (allow != null) {
            return new AclDecision(true, AclDecision.Basis.ALLOWED_BY_ACL, "allowed by ACL " + allow.id() + " (" + allow + ")", allow);
        }
        return new AclDecision(false, AclDecision.Basis.NO_MATCHING_ACL,
                AclEvaluator.action(principalId, tenant, operation, type, name) + ": no ACL allows it", null);
    }
}
