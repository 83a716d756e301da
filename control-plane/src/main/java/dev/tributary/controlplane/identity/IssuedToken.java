package dev.tributary.controlplane.identity;

import java.time.Instant;

/** A signed access token and when it expires. */
public record IssuedToken(String accessToken, Instant expiresAt, String keyId) {}
