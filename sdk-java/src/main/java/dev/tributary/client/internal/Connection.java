package dev.tributary.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryException;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What every part of the SDK shares: the gRPC channels (one to the profile's endpoint, one per
 * other node a redirect named), the HTTP client for the control API, the token source, and a
 * scheduler for timers and backoff. All TLS, trusting the profile's CA.
 */
public final class Connection implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClientProfile profile;
    private final ChannelCredentials channelCredentials;
    private final HttpClient http;
    private final TokenSource tokens;
    private final CallCredentials callCredentials;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public Connection(ClientProfile profile, String fixedToken) {
        this.profile = profile;
        try {
            this.channelCredentials = profile.caFile() == null ? TlsChannelCredentials.create()
                    : TlsChannelCredentials.newBuilder().trustManager(profile.caFile().toFile()).build();
        } catch (IOException e) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, "cannot read the CA file " + profile.caFile() + ": "
                    + e.getMessage(), e);
        }
        this.http = HttpClient.newBuilder().sslContext(Tls.sslContext(profile.caFile())).connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_2).build();
        if (fixedToken != null) {
            this.tokens = TokenSource.fixed(fixedToken);
        } else if (profile.clientId() != null) {
            this.tokens = new ClientCredentialsTokens(http, profile.tokenUrl(), profile.clientId(), profile.clientSecret(),
                    Duration.ofSeconds(30));
        } else {
            throw new TributaryException(TributaryException.INVALID_CONFIG, "the profile has no client credentials ("
                    + ClientProfile.CLIENT_ID + ", " + ClientProfile.CLIENT_SECRET + ") and no token was given");
        }
        this.callCredentials = new BearerCallCredentials(tokens);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-client-timer");
            t.setDaemon(true);
            return t;
        });
    }

    public ClientProfile profile() {
        return profile;
    }

    /** The channel to the profile's endpoint. */
    public ManagedChannel channel() {
        return channel(profile.endpoint().toString());
    }

    /** The channel to another node ({@code https://host:port}, as NOT_OWNER's owner_endpoint names it). */
    public ManagedChannel channel(String endpoint) {
        if (closed) {
            throw new TributaryException(TributaryException.CLOSED, "the client is closed");
        }
        return channels.computeIfAbsent(normalize(endpoint), e -> {
            URI uri = URI.create(e);
            int port = uri.getPort() == -1 ? 443 : uri.getPort();
            return Grpc.newChannelBuilderForAddress(uri.getHost(), port, channelCredentials)
                    .keepAliveTime(30, TimeUnit.SECONDS)
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build();
        });
    }

    /** The bearer token for each call. */
    public CallCredentials callCredentials() {
        return callCredentials;
    }

    public TokenSource tokens() {
        return tokens;
    }

    public HttpClient http() {
        return http;
    }

    /** The REST endpoint root, {@code https://host:port}. */
    public URI endpoint() {
        return profile.endpoint();
    }

    /** Timers and retry backoff; tasks must be short. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The tenant addressed: the profile's, else the one in the caller's token. */
    public CompletableFuture<String> tenant() {
        if (profile.tenant() != null) {
            return CompletableFuture.completedFuture(profile.tenant());
        }
        return tokens.token().thenApply(Connection::tenantOf);
    }

    /** The tenant claim of a token (the client's own token: read, not verified; the server verifies). */
    public static String tenantOf(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, "the token is not a JWT");
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            String tenant = claims.path("tributary_tenant").asText(null);
            if (tenant == null || tenant.isEmpty()) {
                throw new TributaryException(TributaryException.INVALID_CONFIG, "the caller belongs to no tenant (a platform "
                        + "administrator?): set " + ClientProfile.TENANT + " in the profile or pass --tenant");
            }
            return tenant;
        } catch (IOException | IllegalArgumentException e) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, "cannot read the token's claims: " + e.getMessage(), e);
        }
    }

    private static String normalize(String endpoint) {
        String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        return e.contains("://") ? e : "https://" + e;
    }

    @Override
    public void close() {
        closed = true;
        for (ManagedChannel c : channels.values()) {
            c.shutdown();
        }
        for (ManagedChannel c : channels.values()) {
            try {
                if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
                    c.shutdownNow();
                }
            } catch (InterruptedException e) {
                c.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        scheduler.shutdownNow();
    }
}
