package dev.tributary.controlplane.identity;

import dev.tributary.controlplane.security.AccessRules;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** The issuer's signing keys: list (public facts only) and rotate; platform administrators only. */
@Path("/v1/signing-keys")
@Produces(MediaType.APPLICATION_JSON)
public class SigningKeyResource {
    private final SigningKeyStore keys;
    private final SecurityIdentity identity;

    SigningKeyResource(SigningKeyStore keys, SecurityIdentity identity) {
        this.keys = keys;
        this.identity = identity;
    }

    /** A key as the API shows it; never the private half. */
    public record KeyInfo(String kid, String algorithm, Instant createdAt, Instant retiredAt, boolean active) {
        static KeyInfo of(SigningKey key) {
            return new KeyInfo(key.kid(), SigningKey.ALGORITHM, key.createdAt(), key.retiredAt(), key.retiredAt() == null);
        }
    }

    @GET
    public List<KeyInfo> list() {
        AccessRules.requirePlatformAdmin(identity);
        return keys.publishedKeys().stream().map(KeyInfo::of).toList();
    }

    /** New tokens are signed with a new key; tokens signed with the previous one stay valid until they expire. */
    @POST
    @Path("rotate")
    public KeyInfo rotate() {
        AccessRules.requirePlatformAdmin(identity);
        return KeyInfo.of(keys.rotate());
    }
}
