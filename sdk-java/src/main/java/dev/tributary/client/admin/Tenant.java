package dev.tributary.client.admin;

import java.time.Instant;

/**
 * A tenant: the unit of isolation, managed by platform administrators.
 *
 * @param id lowercase letters, digits and '-', 1 to 63 characters, starting with a letter
 * @param createdAt when it was created
 */
public record Tenant(String id, Instant createdAt) {}
