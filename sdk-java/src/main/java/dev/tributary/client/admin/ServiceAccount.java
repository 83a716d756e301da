package dev.tributary.client.admin;

import java.time.Instant;

/**
 * A service account: a principal that authenticates with client credentials.
 *
 * @param id {@code sa-} and 20 random characters; also the OAuth2 client id and the tokens' {@code sub}
 * @param clientId the OAuth2 client id (the same as {@code id})
 * @param tenant the tenant it belongs to
 * @param name unique within its tenant
 * @param role {@code tenant-admin} or {@code member}
 * @param createdAt when it was created
 * @param secretRotatedAt when its current secret was set
 */
public record ServiceAccount(String id, String clientId, String tenant, String name, String role, Instant createdAt,
        Instant secretRotatedAt) {
    /** The role that administers its tenant (service accounts, topics, ACLs, identity pools). */
    public static final String TENANT_ADMIN = "tenant-admin";
    /** The role of an ordinary principal: what it may do is what the ACLs allow. */
    public static final String MEMBER = "member";
}
