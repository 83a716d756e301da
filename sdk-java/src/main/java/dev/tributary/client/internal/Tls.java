package dev.tributary.client.internal;

import dev.tributary.client.TributaryException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS trust for the REST client: the profile's CA only, or the JVM's defaults when there is none. */
final class Tls {
    private Tls() {}

    static SSLContext sslContext(Path caFile) {
        try {
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caFile)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                if (i == 0) {
                    throw new TributaryException(TributaryException.INVALID_CONFIG, "no certificate in " + caFile);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (TributaryException e) {
            throw e;
        } catch (Exception e) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, "cannot use the CA file " + caFile + ": " + e.getMessage(), e);
        }
    }
}
