package dev.tributary.controlplane.identitypool;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A tenant's identity pool: an external OIDC issuer whose tokens are accepted for that tenant only
 * (stored as JSON under {@code ("t", tenant, "ip", name)}). A token whose {@code iss} is {@link
 * #issuer} is verified against the issuer's keys, must carry {@link #audience}, and stands for the
 * principal {@code name + ":" + <value of principalClaim>} of {@link #tenant}, a tenant
 * administrator when {@link #adminClaim} holds one of {@link #adminValues}, else a member.
 *
 * @param tenant the tenant whose principals its tokens stand for
 * @param name [a-z0-9][a-z0-9-]{0,62}, unique in the tenant; the prefix of its principals' ids
 * @param issuer the exact {@code iss} of its tokens: an https URL, unique in the cluster
 * @param audience what the tokens' {@code aud} must contain
 * @param principalClaim the claim whose (string) value names the principal, {@code sub} by default
 * @param adminClaim the claim (a string or an array of strings) that makes tenant administrators; null: nobody is
 * @param adminValues the values of {@link #adminClaim} that make a tenant administrator
 * @param jwksUri where the issuer's keys are (https); null: from the issuer's discovery document
 * @param issuerCaPem PEM certificates to trust for the issuer's TLS (discovery, JWKS); null: the JDK's trusted CAs
 * @param createdAt when it was created
 * @param updatedAt when it was last replaced (= createdAt until then)
 * @param version random, new on every write: the ETag, and how verifiers notice that a pool changed
 */
public record IdentityPool(String tenant, String name, String issuer, String audience, String principalClaim, String adminClaim,
        List<String> adminValues, String jwksUri, String issuerCaPem, Instant createdAt, Instant updatedAt, String version) {

    /** Prefix of the quarkus-oidc tenant ids of identity pools (never the built-in issuer's id). */
    public static final String OIDC_TENANT_PREFIX = "tributary-identity-pool:";

    public IdentityPool {
        adminValues = adminValues == null ? List.of() : List.copyOf(adminValues);
    }

    /** Its quarkus-oidc tenant id: one per pool, so that each pool is verified by its own keys. */
    @JsonIgnore
    public String oidcTenantId() {
        return OIDC_TENANT_PREFIX + tenant + "/" + name;
    }

    /** The strong ETag of this version. */
    @JsonIgnore
    public String etag() {
        return "\"" + version + "\"";
    }

    /** What a token verified by this version of the pool is remembered with. */
    @JsonIgnore
    public Ref ref() {
        return new Ref(tenant, name, issuer, version);
    }

    /** Whether a verification made with {@code ref} is still one this pool would make. */
    public boolean matches(Ref ref) {
        return ref != null && tenant.equals(ref.tenant()) && name.equals(ref.name()) && issuer.equals(ref.issuer())
                && version.equals(ref.version());
    }

    public View view() {
        return new View(name, name, issuer, audience, principalClaim, adminClaim, adminValues, jwksUri, issuerCaPem, createdAt,
                updatedAt);
    }

    /**
     * Which pool, in which version, verified a token: kept with the identity it produced, so that a
     * remembered token stops being accepted when its pool changes or goes.
     */
    public record Ref(String tenant, String name, String issuer, String version) {
        /** Key of the SecurityIdentity attribute holding it. */
        public static final String ATTRIBUTE = "tributary.identity-pool";
    }

    /** How the REST API shows a pool ({@code id} is the name). Absent optional fields are shown as null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(name = "IdentityPool")
    public record View(String id, String name, String issuer, String audience, String principalClaim, String adminClaim,
            List<String> adminValues, String jwksUri, String issuerCaPem, Instant createdAt, Instant updatedAt) {}
}
