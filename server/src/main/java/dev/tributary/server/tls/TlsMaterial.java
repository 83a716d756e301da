package dev.tributary.server.tls;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The development TLS files of one data directory, ready for the server to use.
 *
 * @param caCert the development CA certificate clients trust ({@code ca.pem})
 * @param caKey the CA private key, owner-only ({@code ca-key.pem})
 * @param serverCert the server certificate for localhost, signed by the CA ({@code server.pem})
 * @param serverKey the server private key, owner-only ({@code server-key.pem})
 * @param serverCertNotAfter when the server certificate expires
 * @param summary what preparation did, for the startup log
 */
public record TlsMaterial(Path caCert, Path caKey, Path serverCert, Path serverKey, Instant serverCertNotAfter, String summary) {}
