package dev.tributary.controlplane.security;

/** Names in Tributary's access tokens. */
public final class TributaryClaims {
    /** The {@code aud} every token for Tributary carries. */
    public static final String AUDIENCE = "tributary";
    /** The tenant the principal belongs to; absent for cluster-scoped principals (platform administrators). */
    public static final String TENANT = "tributary_tenant";
    /** The principal's roles ({@link Roles}); empty for a plain member. */
    public static final String ROLES = "tributary_roles";

    private TributaryClaims() {}
}
