package dev.tributary.server.testing;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per endpoint ({@code https://host:port}, as Metadata and NOT_OWNER redirects
 * name pods), each trusting only the development CA, created on first use.
 */
public final class EndpointChannels implements AutoCloseable {
    private final ChannelCredentials tls;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public EndpointChannels(Path caFile) {
        try {
            this.tls = TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ManagedChannel channel(String endpoint) {
        return channels.computeIfAbsent(endpoint, e -> {
            URI uri = URI.create(e);
            if (!"https".equals(uri.getScheme()) || uri.getPort() <= 0) {
                throw new IllegalArgumentException("not an https://host:port endpoint: " + e);
            }
            return Grpc.newChannelBuilderForAddress(uri.getHost(), uri.getPort(), tls).build();
        });
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels.values()) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
