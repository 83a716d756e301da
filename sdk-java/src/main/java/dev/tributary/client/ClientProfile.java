package dev.tributary.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where and as whom to connect: the {@code client.properties} file that {@code bin/tributary
 * standalone} writes into its data directory, or the same keys from anywhere else.
 *
 * <pre>
 * tributary.endpoint=https://localhost:9443          # REST and gRPC share the listener
 * tributary.tls.ca-file=/path/to/ca.pem             # absent: the JVM's default trust store
 * tributary.schema-registry.url=https://localhost:9443/schema-registry   # optional: this is the default
 * tributary.auth.client-id=sa-...                   # OAuth2 client credentials
 * tributary.auth.client-secret=...
 * tributary.auth.token-url=https://localhost:9443/oauth2/token
 * tributary.tenant=acme                             # optional: defaults to the token's tenant
 * </pre>
 *
 * @param endpoint {@code https://host:port}
 * @param caFile PEM file of the CA to trust, or null for the default trust store
 * @param clientId client id of a service account, or null when a fixed token is used instead
 * @param clientSecret its secret
 * @param tokenUrl the OAuth2 token endpoint; null: {@code endpoint + /oauth2/token}
 * @param tenant the tenant the admin client addresses; null: the tenant of the caller's token
 * @param schemaRegistryUrl base URL of the Confluent-compatible schema registry (what Confluent
 *     clients take as {@code schema.registry.url}); null: {@code endpoint + /schema-registry}
 */
public record ClientProfile(URI endpoint, Path caFile, String clientId, String clientSecret, URI tokenUrl, String tenant,
        URI schemaRegistryUrl) {
    public static final String ENDPOINT = "tributary.endpoint";
    public static final String CA_FILE = "tributary.tls.ca-file";
    public static final String CLIENT_ID = "tributary.auth.client-id";
    public static final String CLIENT_SECRET = "tributary.auth.client-secret";
    public static final String TOKEN_URL = "tributary.auth.token-url";
    public static final String TENANT = "tributary.tenant";
    public static final String SCHEMA_REGISTRY_URL = "tributary.schema-registry.url";
    /** Where the server serves the schema registry on its listener. */
    public static final String SCHEMA_REGISTRY_PATH = "/schema-registry";
    /** The environment variable naming the profile file when no {@code --profile} is given. */
    public static final String PROFILE_ENV = "TRIBUTARY_PROFILE";

    public ClientProfile {
        Objects.requireNonNull(endpoint, ENDPOINT);
        if (!"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new IllegalArgumentException(ENDPOINT + " must be https://host:port, not '" + endpoint + "'");
        }
        if ((clientId == null) != (clientSecret == null)) {
            throw new IllegalArgumentException(CLIENT_ID + " and " + CLIENT_SECRET + " go together");
        }
        if (tokenUrl == null && clientId != null) {
            tokenUrl = endpoint.resolve("/oauth2/token");
        }
        if (schemaRegistryUrl == null) {
            schemaRegistryUrl = endpoint.resolve(SCHEMA_REGISTRY_PATH);
        } else if (!schemaRegistryUrl.isAbsolute() || schemaRegistryUrl.getHost() == null) {
            throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " must be an absolute URL, not '" + schemaRegistryUrl + "'");
        }
    }

    /** A profile whose schema registry is where the server serves it, under the endpoint. */
    public ClientProfile(URI endpoint, Path caFile, String clientId, String clientSecret, URI tokenUrl, String tenant) {
        this(endpoint, caFile, clientId, clientSecret, tokenUrl, tenant, null);
    }

    /** Reads a profile file. */
    public static ClientProfile load(Path file) {
        Properties props = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            // NoSuchFileException's message is only the path: say what is wrong instead.
            String reason = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
            throw new UncheckedIOException("cannot read the profile " + file + ": " + reason, e);
        }
        return fromProperties(props, file);
    }

    /** A profile from properties; relative CA paths resolve against {@code base}'s directory (when given). */
    public static ClientProfile fromProperties(Map<?, ?> props, Path base) {
        String endpoint = string(props, ENDPOINT);
        if (endpoint == null) {
            throw new IllegalArgumentException("the profile" + (base == null ? "" : " " + base) + " has no " + ENDPOINT);
        }
        String ca = string(props, CA_FILE);
        Path caFile = null;
        if (ca != null) {
            caFile = Path.of(ca);
            if (!caFile.isAbsolute() && base != null && base.toAbsolutePath().getParent() != null) {
                caFile = base.toAbsolutePath().getParent().resolve(caFile);
            }
        }
        String tokenUrl = string(props, TOKEN_URL);
        String registry = string(props, SCHEMA_REGISTRY_URL);
        return new ClientProfile(URI.create(endpoint), caFile, string(props, CLIENT_ID), string(props, CLIENT_SECRET),
                tokenUrl == null ? null : URI.create(tokenUrl), string(props, TENANT), registry == null ? null : URI.create(registry));
    }

    /**
     * The profile named by {@code explicit} if not null, else by {@code TRIBUTARY_PROFILE}, else
     * {@code ./data/client.properties} (where {@code bin/tributary standalone} writes it by default).
     */
    public static ClientProfile resolve(Path explicit) {
        if (explicit != null) {
            return load(explicit);
        }
        String env = System.getenv(PROFILE_ENV);
        if (env != null && !env.isBlank()) {
            return load(Path.of(env));
        }
        Path local = Path.of("data", "client.properties");
        if (Files.isRegularFile(local)) {
            return load(local);
        }
        throw new IllegalArgumentException("no profile: pass --profile FILE or set " + PROFILE_ENV
                + " (bin/tributary standalone writes DATA_DIR/client.properties)");
    }

    /** The same profile addressing another tenant (platform administrators managing tenants). */
    public ClientProfile withTenant(String tenant) {
        return new ClientProfile(endpoint, caFile, clientId, clientSecret, tokenUrl, tenant, schemaRegistryUrl);
    }

    private static String string(Map<?, ?> props, String key) {
        Object value = props.get(key);
        if (value == null) {
            return null;
        }
        String s = value.toString().trim();
        return s.isEmpty() ? null : s;
    }

    @Override
    public String toString() {
        // Never print the secret.
        return "ClientProfile[endpoint=" + endpoint + ", caFile=" + caFile + ", clientId=" + clientId + ", tokenUrl=" + tokenUrl
                + ", tenant=" + tenant + ", schemaRegistryUrl=" + schemaRegistryUrl + "]";
    }
}
