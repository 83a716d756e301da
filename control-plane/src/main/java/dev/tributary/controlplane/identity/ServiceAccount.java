package dev.tributary.controlplane.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A service account: a principal that authenticates with client credentials at {@code POST
 * /oauth2/token}. Its id is also its OAuth2 {@code client_id} and the {@code sub} of its tokens.
 *
 * @param id {@code sa-} and 20 random characters; never reused
 * @param tenant the tenant it belongs to; null for a cluster-scoped account (platform administrator)
 * @param name unique within its tenant (or the cluster scope)
 * @param role {@code tenant-admin} or {@code member}; {@code platform-admin} for cluster-scoped accounts
 * @param createdAt when it was created
 * @param secretRotatedAt when its current secret was set
 * @param secretHash salted hash of the secret (see {@link SecretHasher}); never leaves the server
 */
public record ServiceAccount(String id, String tenant, String name, String role, Instant createdAt, Instant secretRotatedAt,
        String secretHash) {

    ServiceAccount withSecretHash(String hash, Instant rotatedAt) {
        return new ServiceAccount(id, tenant, name, role, createdAt, rotatedAt, hash);
    }

    @JsonIgnore
    public String clientId() {
        return id;
    }

    /** The API view: everything but the hash. */
    public View view() {
        return new View(id, id, tenant, name, role, createdAt, secretRotatedAt);
    }

    /** What the REST API returns for a service account. */
    @Schema(name = "ServiceAccount")
    public record View(String id, String clientId, String tenant, String name, String role, Instant createdAt,
            Instant secretRotatedAt) {}

    /** The answer to create and rotate-secret: the only time the secret is ever shown. */
    @Schema(name = "ServiceAccountWithSecret")
    public record WithSecret(String id, String clientId, String tenant, String name, String role, Instant createdAt,
            Instant secretRotatedAt, String clientSecret) {
        static WithSecret of(ServiceAccount account, String secret) {
            return new WithSecret(account.id(), account.id(), account.tenant(), account.name(), account.role(),
                    account.createdAt(), account.secretRotatedAt(), secret);
        }
    }
}
