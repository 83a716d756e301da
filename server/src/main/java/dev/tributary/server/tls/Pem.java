package dev.tributary.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM encoding of certificates and private keys (PKCS#8, the format every TLS stack reads). */
final class Pem {
    private Pem() {}

    static byte[] encode(X509Certificate certificate) {
        return write(certificate);
    }

    static byte[] encode(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new TlsSetupException("cannot encode private key: " + e.getMessage(), e);
        }
    }

    private static byte[] write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new TlsSetupException("cannot encode PEM: " + e.getMessage(), e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Every certificate in {@code file}, in order; fails if there is none or anything else. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> result = new ArrayList<>();
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw new IOException(file + " holds a " + object.getClass().getSimpleName() + ", not a certificate");
                }
                result.add(new JcaX509CertificateConverter().getCertificate(holder));
            }
        } catch (CertificateException | RuntimeException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (result.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate");
        }
        return result;
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new IOException(file + " holds no unencrypted PEM private key");
        } catch (RuntimeException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }
}
