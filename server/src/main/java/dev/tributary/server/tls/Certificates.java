package dev.tributary.server.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the development CA and server certificates. ECDSA P-256: fast to generate on every first
 * start and accepted by every TLS client Tributary cares about (JDK, grpc-java, curl, browsers).
 */
final class Certificates {
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {}

    record Issued(KeyPair keys, X509Certificate certificate) {}

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("cannot generate an EC P-256 key pair: " + e.getMessage(), e);
        }
    }

    /** A self-signed CA that may sign end-entity certificates only (path length 0). */
    static Issued certificateAuthority(String commonName, Instant notBefore, Instant notAfter) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + commonName + ",O=Tributary");
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(keys, sign(builder, keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new TlsSetupException("cannot issue the development CA: " + e.getMessage(), e);
        }
    }

    /** A TLS server certificate for the given host names and IP addresses, signed by {@code ca}. */
    static Issued server(Issued ca, List<String> dnsNames, List<InetAddress> addresses, Instant notBefore, Instant notAfter) {
        KeyPair keys = newKeyPair();
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        X500Name subject = new X500Name("CN=" + dnsNames.get(0) + ",O=Tributary");
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        addresses.forEach(a -> names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(keys, sign(builder, ca.keys().getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new TlsSetupException("cannot issue the server certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /** Positive, 159 random bits: unique without keeping a serial counter on disk. */
    private static BigInteger serial() {
        return new BigInteger(159, RANDOM).setBit(0);
    }

    /** Whether {@code key} is the private half of the key in {@code certificate} (sign and verify a challenge). */
    static boolean matches(PrivateKey key, X509Certificate certificate) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether {@code certificate} was signed by {@code issuer}'s key. */
    static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether the certificate's subject alternative names are exactly these names and addresses. */
    static boolean coversExactly(X509Certificate certificate, List<String> dnsNames, List<InetAddress> addresses) {
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            Set<String> dns = new HashSet<>();
            Set<InetAddress> ips = new HashSet<>();
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == GeneralName.dNSName) {
                    dns.add(((String) san.get(1)).toLowerCase(java.util.Locale.ROOT));
                } else if (type == GeneralName.iPAddress) {
                    ips.add(InetAddress.getByName((String) san.get(1)));
                }
            }
            return dns.equals(new HashSet<>(dnsNames)) && ips.equals(new HashSet<>(addresses));
        } catch (java.security.cert.CertificateParsingException | java.net.UnknownHostException e) {
            return false;
        }
    }

    static boolean isCa(X509Certificate certificate) {
        return certificate.getBasicConstraints() >= 0;
    }
}
