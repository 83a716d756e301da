package dev.tributary.server.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.server.startup.ServerPreparation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First start generates, later starts reuse, and only what must change is re-issued. */
class DevelopmentTlsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private Path tlsDir() {
        return dataDir.resolve("tls");
    }

    private byte[] read(String name) throws Exception {
        return Files.readAllBytes(tlsDir().resolve(name));
    }

    private static X509Certificate cert(Path file) throws Exception {
        return Pem.readCertificates(file).get(0);
    }

    @Test
    void firstStartGeneratesACaAndALocalhostServerCertificate() throws Exception {
        TlsMaterial tls = DevelopmentTls.prepare(tlsDir(), at(T0));

        X509Certificate ca = cert(tls.caCert());
        X509Certificate server = cert(tls.serverCert());
        assertTrue(ca.getBasicConstraints() >= 0, "CA must carry basicConstraints CA=true");
        assertTrue(ca.getKeyUsage()[5], "CA must be allowed to sign certificates");
        assertEquals(-1, server.getBasicConstraints(), "server certificate must not be a CA");
        assertTrue(Certificates.signedBy(server, ca));
        assertTrue(Certificates.matches(Pem.readPrivateKey(tls.serverKey()), server));
        assertTrue(Certificates.matches(Pem.readPrivateKey(tls.caKey()), ca));
        assertTrue(server.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertTrue(Certificates.coversExactly(server, DevelopmentTls.DNS_NAMES, DevelopmentTls.ADDRESSES));
        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1")),
                List.copyOf(server.getSubjectAlternativeNames()));
        assertFalse(server.getNotAfter().toInstant().isAfter(ca.getNotAfter().toInstant()));
        server.checkValidity(java.util.Date.from(T0));

        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tls.caKey()));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tls.serverKey()));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(tlsDir()));
        assertTrue(tls.summary().contains("generated a development CA"), tls.summary());
    }

    @Test
    void laterStartsReuseEverything() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        byte[] ca = read("ca.pem");
        byte[] caKey = read("ca-key.pem");
        byte[] server = read("server.pem");
        byte[] serverKey = read("server-key.pem");

        TlsMaterial again = DevelopmentTls.prepare(tlsDir(), at(T0.plus(Duration.ofDays(100))));

        assertArrayEquals(ca, read("ca.pem"));
        assertArrayEquals(caKey, read("ca-key.pem"));
        assertArrayEquals(server, read("server.pem"));
        assertArrayEquals(serverKey, read("server-key.pem"));
        assertTrue(again.summary().contains("reused the development CA"), again.summary());
        assertTrue(again.summary().contains("reused the server certificate"), again.summary());
    }

    @Test
    void aMissingServerCertificateIsReissuedUnderTheSameCa() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        byte[] ca = read("ca.pem");
        Files.delete(tlsDir().resolve("server.pem"));

        TlsMaterial tls = DevelopmentTls.prepare(tlsDir(), at(T0));

        assertArrayEquals(ca, read("ca.pem"));
        assertTrue(Certificates.signedBy(cert(tls.serverCert()), cert(tls.caCert())));
        assertTrue(Certificates.matches(Pem.readPrivateKey(tls.serverKey()), cert(tls.serverCert())));
        assertTrue(tls.summary().contains("missing"), tls.summary());
    }

    @Test
    void anExpiringServerCertificateIsReissued() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        byte[] ca = read("ca.pem");
        byte[] server = read("server.pem");

        Instant later = T0.plus(DevelopmentTls.SERVER_VALIDITY).minus(Duration.ofDays(10));
        TlsMaterial tls = DevelopmentTls.prepare(tlsDir(), at(later));

        assertArrayEquals(ca, read("ca.pem"));
        assertFalse(java.util.Arrays.equals(server, read("server.pem")));
        assertTrue(tls.serverCertNotAfter().isAfter(later.plus(Duration.ofDays(300))));
        assertTrue(tls.summary().contains("expires"), tls.summary());
    }

    @Test
    void aDamagedServerKeyIsReplaced() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        Files.writeString(tlsDir().resolve("server-key.pem"), "garbage", StandardCharsets.US_ASCII);

        TlsMaterial tls = DevelopmentTls.prepare(tlsDir(), at(T0));

        assertTrue(Certificates.matches(Pem.readPrivateKey(tls.serverKey()), cert(tls.serverCert())));
    }

    @Test
    void anExpiringCaIsReplacedAndSaysSo() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        byte[] ca = read("ca.pem");

        TlsMaterial tls = DevelopmentTls.prepare(tlsDir(), at(T0.plus(DevelopmentTls.CA_VALIDITY).minus(Duration.ofDays(5))));

        assertNotEquals(new String(ca, StandardCharsets.US_ASCII), new String(read("ca.pem"), StandardCharsets.US_ASCII));
        assertTrue(Certificates.signedBy(cert(tls.serverCert()), cert(tls.caCert())));
        assertTrue(tls.summary().contains("clients must trust the new ca.pem"), tls.summary());
    }

    @Test
    void aDamagedCaIsAnErrorNotSilentlyReplaced() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        byte[] caKey = read("ca-key.pem");
        Files.writeString(tlsDir().resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");

        TlsSetupException e = assertThrows(TlsSetupException.class, () -> DevelopmentTls.prepare(tlsDir(), at(T0)));
        assertTrue(e.getMessage().contains("ca.pem") && e.getMessage().contains("Delete"), e.getMessage());
        assertArrayEquals(caKey, read("ca-key.pem"), "the CA key must be left alone");
    }

    @Test
    void aCaWithoutItsKeyIsAnError() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        Files.delete(tlsDir().resolve("ca-key.pem"));

        TlsSetupException e = assertThrows(TlsSetupException.class, () -> DevelopmentTls.prepare(tlsDir(), at(T0)));
        assertTrue(e.getMessage().contains("ca-key.pem is missing"), e.getMessage());
    }

    @Test
    void aCaKeyMadeReadableByOthersIsRestrictedAgain() throws Exception {
        DevelopmentTls.prepare(tlsDir(), at(T0));
        Path caKey = tlsDir().resolve("ca-key.pem");
        Files.setPosixFilePermissions(caKey, PosixFilePermissions.fromString("rw-r--r--"));

        DevelopmentTls.prepare(tlsDir(), at(T0));

        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(caKey));
    }

    @Test
    void preparationPointsQuarkusAtTheFiles() {
        ServerPreparation.Prepared prepared = ServerPreparation.prepare(dataDir.resolve("nested/data"), at(T0));
        Map<String, String> props = prepared.quarkusProperties();

        Path abs = dataDir.resolve("nested/data").toAbsolutePath();
        assertEquals(abs.toString(), props.get("tributary.data-dir"));
        assertEquals(abs.resolve("tls/server.pem").toString(), props.get("quarkus.tls.tributary.key-store.pem.server.cert"));
        assertEquals(abs.resolve("tls/server-key.pem").toString(), props.get("quarkus.tls.tributary.key-store.pem.server.key"));
    }
}
