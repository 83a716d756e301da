package dev.tributary.controlplane.identitypool;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates an identity pool trusts for its issuer's TLS ({@code issuerCaPem}): parsed and
 * checked when the pool is written, turned into a trust store where the issuer is reached.
 */
public final class IssuerTrust {
    /** Longest accepted {@code issuerCaPem}: a few certificates; keeps the pool record well below the store's value limit. */
    public static final int MAX_PEM_CHARS = 32 * 1024;
    /** Most certificates in one {@code issuerCaPem}. */
    public static final int MAX_CERTIFICATES = 10;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
    private static final Pattern ANY_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    private IssuerTrust() {}

    /**
     * The certificates in {@code pem}: one or more {@code CERTIFICATE} blocks and nothing else
     * (a private key pasted by mistake is refused rather than stored).
     *
     * @throws IllegalArgumentException with what is wrong, in words fit for the client
     */
    public static List<X509Certificate> parse(String pem) {
        if (pem.length() > MAX_PEM_CHARS) {
            throw new IllegalArgumentException("is longer than " + MAX_PEM_CHARS + " characters");
        }
        Matcher begins = ANY_BEGIN.matcher(pem);
        while (begins.find()) {
            if (!"CERTIFICATE".equals(begins.group(1))) {
                throw new IllegalArgumentException("must hold certificates only, it has a '" + begins.group(1)
                        + "' block" + (begins.group(1).contains("PRIVATE") ? " (never send a private key)" : ""));
            }
        }
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher blocks = BLOCK.matcher(pem);
        int end = 0;
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        while (blocks.find()) {
            if (!pem.substring(end, blocks.start()).isBlank()) {
                throw new IllegalArgumentException("has text outside its CERTIFICATE blocks");
            }
            end = blocks.end();
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(blocks.group(2).getBytes(StandardCharsets.US_ASCII));
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw new IllegalArgumentException("has a CERTIFICATE block that is not an X.509 certificate");
            }
            if (certificates.size() > MAX_CERTIFICATES) {
                throw new IllegalArgumentException("has more than " + MAX_CERTIFICATES + " certificates");
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("must hold at least one PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        if (!pem.substring(end).isBlank()) {
            throw new IllegalArgumentException("has text outside its CERTIFICATE blocks");
        }
        return certificates;
    }

    /** A trust store holding exactly {@code certificates}. */
    public static KeyStore trustStore(List<X509Certificate> certificates) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("issuer-ca-" + i, certificates.get(i));
            }
            return store;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
        }
    }

    /**
     * Client TLS for the pool's issuer: trusting only {@code issuerCaPem} when it is set, the JDK's
     * trusted CAs otherwise. Host names are verified either way (by the HTTP client).
     */
    public static SSLContext sslContext(String issuerCaPem) {
        try {
            if (issuerCaPem == null) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore(parse(issuerCaPem)));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the issuer: " + e.getMessage(), e);
        }
    }
}
