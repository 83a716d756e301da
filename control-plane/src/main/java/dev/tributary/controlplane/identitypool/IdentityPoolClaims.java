package dev.tributary.controlplane.identitypool;

import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.security.Roles;
import dev.tributary.controlplane.security.TributaryIdentityAugmentor.TokenRejectedException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Who a verified token of an identity pool stands for: the one mapping both verifiers use
 * (quarkus-oidc's, through TributaryIdentityAugmentor, and BearerTokenVerifier's). The tenant is
 * always the pool's; Tributary's own claims ({@code tributary_tenant}, {@code tributary_roles})
 * are never read from such a token, so an external issuer cannot make anyone a platform
 * administrator or a principal of another tenant.
 */
public final class IdentityPoolClaims {
    /** Longest principal claim value: principal ids are kept short enough to name in ACLs and logs. */
    public static final int MAX_PRINCIPAL_VALUE_LENGTH = 256;

    private IdentityPoolClaims() {}

    /**
     * The caller of a token that {@code pool} verified.
     *
     * @param claims a claim of the token by name: a String, a number, a collection of them, or a
     *     JSON value (jakarta.json) of these; null when absent
     * @throws TokenRejectedException when the principal claim is missing or unusable
     */
    public static Caller caller(IdentityPool pool, Function<String, Object> claims) {
        String value = single(claims.apply(pool.principalClaim()));
        if (value == null || value.isEmpty() || value.length() > MAX_PRINCIPAL_VALUE_LENGTH
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new TokenRejectedException("the token has no usable '" + pool.principalClaim() + "' claim (identity pool '"
                    + pool.name() + "' names its principals by it: a string of 1 to " + MAX_PRINCIPAL_VALUE_LENGTH + " characters)");
        }
        boolean admin = false;
        if (pool.adminClaim() != null) {
            for (String held : strings(claims.apply(pool.adminClaim()))) {
                if (pool.adminValues().contains(held)) {
                    admin = true;
                    break;
                }
            }
        }
        return new Caller(pool.name() + ":" + value, pool.tenant(), Roles.claimFor(admin ? Roles.TENANT_ADMIN : Roles.MEMBER));
    }

    /** A string or number claim as a string; null for anything else. */
    static String single(Object claim) {
        Object value = unwrap(claim);
        return value instanceof String || value instanceof Number ? value.toString() : null;
    }

    /** A string claim, or the strings of an array claim; empty for anything else. */
    static List<String> strings(Object claim) {
        Object value = unwrap(claim);
        List<String> strings = new ArrayList<>();
        if (value instanceof String s) {
            strings.add(s);
        } else if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                Object unwrapped = unwrap(element);
                if (unwrapped instanceof String s) {
                    strings.add(s);
                }
            }
        }
        return strings;
    }

    /** jakarta.json values (what quarkus-oidc's JsonWebToken gives for most claims) as plain Java values. */
    private static Object unwrap(Object claim) {
        if (claim instanceof jakarta.json.JsonString s) {
            return s.getString();
        }
        if (claim instanceof jakarta.json.JsonNumber n) {
            return n.isIntegral() ? (Object) n.longValue() : (Object) n.doubleValue();
        }
        if (claim instanceof jakarta.json.JsonArray array) {
            List<Object> values = new ArrayList<>(array.size());
            array.forEach(v -> values.add(unwrap(v)));
            return values;
        }
        return claim;
    }
}
