package dev.tributary.client.admin;

import java.util.Objects;

/**
 * What creating a service account or rotating its secret answers: the account and its client
 * secret. The server keeps only a hash: this is the one time the secret can be read. {@link
 * #toString()} leaves it out, so that logging the result does not leak it.
 *
 * @param account the account
 * @param clientSecret the secret for {@code tributary.auth.client-secret}
 */
public record ServiceAccountCredentials(ServiceAccount account, String clientSecret) {
    public ServiceAccountCredentials {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(clientSecret, "clientSecret");
    }

    /** The OAuth2 client id ({@code tributary.auth.client-id}). */
    public String clientId() {
        return account.clientId();
    }

    @Override
    public String toString() {
        return "ServiceAccountCredentials[account=" + account + ", clientSecret=(hidden)]";
    }
}
