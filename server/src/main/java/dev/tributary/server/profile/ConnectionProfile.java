package dev.tributary.server.profile;

import dev.tributary.schema.rest.SchemaRegistryResource;
import dev.tributary.server.files.PrivateFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a client needs to connect: {@code DATA_DIR/client.properties} (the default tenant's
 * administrator) and {@code DATA_DIR/platform-admin.properties} (the bootstrap platform
 * administrator), read by the SDK, the CLI and the Terraform provider ({@code --profile FILE} /
 * {@code TRIBUTARY_PROFILE}). Owner-only: they hold client secrets.
 *
 * @param endpoint {@code https://host:port} of the REST + gRPC listener
 * @param caFile absolute path of the CA certificate that signed the server certificate
 * @param credentials client credentials and token endpoint; null when the server does not know them
 * @param tenant the tenant the credentials belong to; null for cluster-scoped principals
 */
public record ConnectionProfile(String endpoint, Path caFile, Credentials credentials, String tenant) {
    public static final String FILE_NAME = "client.properties";
    public static final String PLATFORM_ADMIN_FILE_NAME = "platform-admin.properties";
    public static final String ENDPOINT = "tributary.endpoint";
    public static final String CA_FILE = "tributary.tls.ca-file";
    public static final String CLIENT_ID = "tributary.auth.client-id";
    public static final String CLIENT_SECRET = "tributary.auth.client-secret";
    public static final String TOKEN_URL = "tributary.auth.token-url";
    public static final String TENANT = "tributary.tenant";
    /** The schema registry's base URL, as Confluent clients take it ({@code schema.registry.url}). */
    public static final String SCHEMA_REGISTRY_URL = "tributary.schema-registry.url";

    /** OAuth2 client credentials ({@code client_credentials} grant at {@code tokenUrl}). */
    public record Credentials(String clientId, String clientSecret, String tokenUrl) {}

    public ConnectionProfile(String endpoint, Path caFile) {
        this(endpoint, caFile, null, null);
    }

    /** The schema registry is served on the same listener, under {@link SchemaRegistryResource#BASE_PATH}. */
    public String schemaRegistryUrl() {
        return endpoint + SchemaRegistryResource.BASE_PATH;
    }

    public Properties toProperties() {
        Properties props = new Properties();
        entries().forEach(props::setProperty);
        return props;
    }

    private Map<String, String> entries() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(ENDPOINT, endpoint);
        entries.put(CA_FILE, caFile.toAbsolutePath().toString());
        entries.put(SCHEMA_REGISTRY_URL, schemaRegistryUrl());
        if (tenant != null) {
            entries.put(TENANT, tenant);
        }
        if (credentials != null) {
            entries.put(CLIENT_ID, credentials.clientId());
            entries.put(CLIENT_SECRET, credentials.clientSecret());
            entries.put(TOKEN_URL, credentials.tokenUrl());
        }
        return entries;
    }

    /** Replaces {@code file} atomically (temporary file + rename), mode 600. */
    public void writeTo(Path file) {
        StringWriter text = new StringWriter();
        text.write("# Tributary connection profile, written by the server on every start.\n");
        text.write("# Use it with --profile " + file.toAbsolutePath() + " or TRIBUTARY_PROFILE.\n");
        if (credentials != null) {
            text.write("# The client secret belongs to " + (tenant == null ? "the bootstrap platform administrator"
                    : "the administrator of tenant '" + tenant + "'") + ": keep this file private.\n");
        }
        // Properties.store would escape ':' in the values and add a timestamp: write the lines directly.
        entries().forEach((key, value) -> text.write(key + "=" + escape(value) + "\n"));
        PrivateFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8), true);
    }

    public static ConnectionProfile read(Path file) {
        Properties props = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String clientId = props.getProperty(CLIENT_ID);
        String secret = props.getProperty(CLIENT_SECRET);
        Credentials credentials = clientId == null || secret == null ? null
                : new Credentials(clientId, secret, props.getProperty(TOKEN_URL));
        String ca = props.getProperty(CA_FILE);
        return new ConnectionProfile(props.getProperty(ENDPOINT), ca == null ? null : Path.of(ca), credentials, props.getProperty(TENANT));
    }

    /** Escapes what java.util.Properties treats specially in a value (backslashes, e.g. Windows paths). */
    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (i == 0 && (c == ' ' || c == '\t')) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
