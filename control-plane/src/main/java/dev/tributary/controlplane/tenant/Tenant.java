package dev.tributary.controlplane.tenant;

import java.time.Instant;

/**
 * A tenant: the unit of isolation. Everything it owns lives under {@code RootKeySpace.tenant(id)}.
 *
 * @param id lowercase letters, digits and '-', 1 to 63 characters, starting with a letter
 * @param createdAt when it was created
 */
public record Tenant(String id, Instant createdAt) {}
