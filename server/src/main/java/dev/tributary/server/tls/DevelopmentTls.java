package dev.tributary.server.tls;

import dev.tributary.server.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Development TLS for one data directory: a CA generated on first start and a server certificate
 * for this machine's loopback names signed by it. Both are reused on later starts so that clients
 * keep trusting the same {@code ca.pem}; the server certificate (derived material, trusted only
 * through the CA) is re-issued whenever it is missing, damaged, or close to expiry. The CA itself is
 * never silently replaced while it is usable: a damaged CA is an error the operator resolves.
 */
public final class DevelopmentTls {
    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String SERVER_CERT = "server.pem";
    public static final String SERVER_KEY = "server-key.pem";

    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    /** Certificates this close to expiry are replaced, so that a running server never sees one expire soon after start. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** Tolerance for clients whose clock is slightly behind. */
    static final Duration BACKDATE = Duration.ofHours(1);

    static final List<String> DNS_NAMES = List.of("localhost");
    static final List<InetAddress> ADDRESSES = List.of(address("127.0.0.1"), address("::1"));

    private static final SecureRandom RANDOM = new SecureRandom();

    private DevelopmentTls() {}

    /** Creates or reuses the TLS files in {@code tlsDir}; safe against a concurrent start on the same directory. */
    public static TlsMaterial prepare(Path tlsDir, Clock clock) {
        Path dir = PrivateFiles.createPrivateDirectories(tlsDir.toAbsolutePath().normalize());
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            return prepareLocked(dir, clock.instant());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
    }

    private static TlsMaterial prepareLocked(Path dir, Instant now) {
        Path caCertFile = dir.resolve(CA_CERT);
        Path caKeyFile = dir.resolve(CA_KEY);
        Path serverCertFile = dir.resolve(SERVER_CERT);
        Path serverKeyFile = dir.resolve(SERVER_KEY);

        StringBuilder summary = new StringBuilder();
        Certificates.Issued ca = loadCa(caCertFile, caKeyFile, now, summary);
        boolean caIsNew = ca == null;
        if (caIsNew) {
            // A random suffix tells CAs of different data directories apart in trust stores.
            byte[] id = new byte[4];
            RANDOM.nextBytes(id);
            ca = Certificates.certificateAuthority("Tributary development CA " + HexFormat.of().formatHex(id), now.minus(BACKDATE), now.plus(CA_VALIDITY));
            // Key first: a crash between the two writes leaves a key without a certificate, which
            // loadCa reports, rather than a certificate whose key is lost.
            PrivateFiles.writeAtomically(caKeyFile, Pem.encode(ca.keys().getPrivate()), true);
            PrivateFiles.writeAtomically(caCertFile, Pem.encode(ca.certificate()), false);
            summary.append("generated a development CA (").append(caCertFile).append(")");
        } else {
            summary.append("reused the development CA (").append(caCertFile).append(")");
        }

        String renewReason = caIsNew ? "new CA" : serverCertificateProblem(serverCertFile, serverKeyFile, ca, now);
        X509Certificate serverCert;
        if (renewReason != null) {
            Instant notAfter = min(now.plus(SERVER_VALIDITY), ca.certificate().getNotAfter().toInstant());
            Certificates.Issued server = Certificates.server(ca, DNS_NAMES, ADDRESSES, now.minus(BACKDATE), notAfter);
            PrivateFiles.writeAtomically(serverKeyFile, Pem.encode(server.keys().getPrivate()), true);
            PrivateFiles.writeAtomically(serverCertFile, Pem.encode(server.certificate()), false);
            serverCert = server.certificate();
            summary.append("; issued a server certificate for localhost, 127.0.0.1, ::1");
            if (!caIsNew) {
                summary.append(" (").append(renewReason).append(")");
            }
        } else {
            serverCert = readServerCertificate(serverCertFile);
            restrictToOwner(serverKeyFile, summary);
            summary.append("; reused the server certificate");
        }
        summary.append(", valid until ").append(serverCert.getNotAfter().toInstant());
        return new TlsMaterial(caCertFile, caKeyFile, serverCertFile, serverKeyFile, serverCert.getNotAfter().toInstant(), summary.toString());
    }

    /** The existing CA, or null when there is none or it is too close to expiry (then a new one is made). */
    private static Certificates.Issued loadCa(Path certFile, Path keyFile, Instant now, StringBuilder summary) {
        boolean hasCert = Files.exists(certFile);
        boolean hasKey = Files.exists(keyFile);
        if (!hasCert && !hasKey) {
            return null;
        }
        String remedy = " Delete " + certFile.getParent() + " to generate a new development CA"
                + " (clients must then trust the new " + CA_CERT + ").";
        if (!hasCert || !hasKey) {
            throw new TlsSetupException("incomplete development CA in " + certFile.getParent() + ": "
                    + (hasCert ? CA_KEY : CA_CERT) + " is missing." + remedy);
        }
        X509Certificate cert;
        PrivateKey key;
        try {
            List<X509Certificate> certs = Pem.readCertificates(certFile);
            if (certs.size() != 1) {
                throw new IOException(certFile + " holds " + certs.size() + " certificates, expected 1");
            }
            cert = certs.get(0);
            key = Pem.readPrivateKey(keyFile);
        } catch (IOException e) {
            throw new TlsSetupException("unreadable development CA: " + e.getMessage() + "." + remedy, e);
        }
        if (!Certificates.isCa(cert)) {
            throw new TlsSetupException(certFile + " is not a CA certificate (no basicConstraints CA)." + remedy);
        }
        if (!Certificates.matches(key, cert)) {
            throw new TlsSetupException(keyFile + " is not the private key of " + certFile + "." + remedy);
        }
        if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
            summary.append("the development CA expires ").append(cert.getNotAfter().toInstant())
                    .append(": replaced it, clients must trust the new ").append(CA_CERT).append("; ");
            return null;
        }
        restrictToOwner(keyFile, summary);
        return new Certificates.Issued(new KeyPair(cert.getPublicKey(), key), cert);
    }

    /** Why the server certificate must be re-issued, or null if it is fine. */
    private static String serverCertificateProblem(Path certFile, Path keyFile, Certificates.Issued ca, Instant now) {
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            return "it was missing";
        }
        X509Certificate cert;
        PrivateKey key;
        try {
            cert = readServerCertificate(certFile);
            key = Pem.readPrivateKey(keyFile);
        } catch (IOException | TlsSetupException e) {
            return "the old one was unreadable: " + e.getMessage();
        }
        if (!Certificates.signedBy(cert, ca.certificate())) {
            return "the old one was not signed by the current CA";
        }
        if (!Certificates.matches(key, cert)) {
            return "the old key did not match it";
        }
        if (!Certificates.coversExactly(cert, DNS_NAMES, ADDRESSES)) {
            return "the old one named other hosts";
        }
        if (cert.getNotBefore().toInstant().isAfter(now)) {
            return "the old one is not valid yet";
        }
        if (cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
            return "the old one expires " + cert.getNotAfter().toInstant();
        }
        return null;
    }

    private static X509Certificate readServerCertificate(Path certFile) {
        try {
            return Pem.readCertificates(certFile).get(0);
        } catch (IOException e) {
            throw new TlsSetupException(e.getMessage(), e);
        }
    }

    /** Private keys stay owner-only even if someone loosened them by hand. */
    private static void restrictToOwner(Path keyFile, StringBuilder summary) {
        if (!PrivateFiles.posix(keyFile)) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            if (!PrivateFiles.OWNER_READ_WRITE.containsAll(perms)) {
                Files.setPosixFilePermissions(keyFile, PrivateFiles.OWNER_READ_WRITE);
                summary.append("; restricted ").append(keyFile.getFileName()).append(" to mode 600");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict permissions of " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
