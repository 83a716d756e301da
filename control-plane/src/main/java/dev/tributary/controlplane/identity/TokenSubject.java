package dev.tributary.controlplane.identity;

import java.util.Set;

/**
 * Whom a token is issued to.
 *
 * @param principalId the {@code sub}: the service account id
 * @param tenant the tenant the principal belongs to; null for cluster-scoped principals
 * @param roles the {@code tributary_roles} claim
 */
public record TokenSubject(String principalId, String tenant, Set<String> roles) {}
