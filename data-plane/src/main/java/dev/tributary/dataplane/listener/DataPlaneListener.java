package dev.tributary.dataplane.listener;

import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.controlplane.security.ListenerEndpoint;
import dev.tributary.dataplane.DataPlane;
import dev.tributary.dataplane.DataPlaneConfig;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.storage.KeyValueStore;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A {@link DataPlane} served on a TLS gRPC listener of its own, outside the server application: a
 * data-plane pod of its own with the produce, fetch and group services, every call authenticated
 * by {@link BearerTokenInterceptor}. Several can run in one JVM over one store, which is how
 * failover between pods is tested; the server application serves its own data plane on its shared
 * listener instead.
 *
 * <p>The pod's endpoint is {@code https://HOST:PORT} of the bound socket (loopback and wildcard
 * addresses advertise {@code localhost}, the name the development certificate carries), so
 * NOT_OWNER redirects and Metadata name a place clients can reach.
 *
 * <p>Produce calls take their places in a partition's append order when their handler runs
 * ({@link dev.tributary.dataplane.produce.CallOrder#HANDLER_INVOCATION}): grpc-java starts calls
 * (interceptors, then handlers) on its executor, in no guaranteed order, so calls a client
 * pipelines on one connection may be appended in another order than they were sent. The server
 * application's listener orders them by arrival ({@code ProduceArrivalOrder}).
 */
public final class DataPlaneListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DataPlaneListener.class);
    /**
     * Largest inbound message: a produce request may carry batches up to max.message.bytes (at most
     * 8 MiB) and gRPC's default of 4 MiB would refuse them. The server application's listener has
     * the same bound ({@code quarkus.grpc.server.max-inbound-message-size}).
     */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** How long a graceful {@link #stop()} lets calls in flight finish before it cuts them. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);

    private final Node node;
    private final DataPlane dataPlane;
    private final Server server;
    private volatile boolean closed;

    private DataPlaneListener(Node node, DataPlane dataPlane, Server server) {
        this.node = node;
        this.dataPlane = dataPlane;
        this.server = server;
    }

    /**
     * Binds the listener, then starts the data plane (its pod registers under the bound endpoint).
     *
     * @param store the store this pod shares with every other
     * @param config {@code tributary.data-plane.*} of this pod (lease, threads, ...)
     * @param nodeId this pod's id, unique among pods
     * @param address where to listen (port 0: any free port)
     * @param tls the listener's certificate and key
     * @param verifier checks every call's bearer token
     */
    public static DataPlaneListener start(KeyValueStore store, DataPlaneConfig config, String nodeId, InetSocketAddress address,
            ServerCredentials tls, BearerTokenVerifier verifier) {
        Node node = new Node(nodeId, ListenerEndpoint.endpointHost(address.getHostString()));
        DataPlane dataPlane = new DataPlane(store, node, config, BearerTokenInterceptor.CALLERS);
        BearerTokenInterceptor authentication = new BearerTokenInterceptor(verifier);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address, tls).maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        for (BindableService service : dataPlane.services()) {
            builder.addService(ServerInterceptors.intercept(service, authentication));
        }
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            dataPlane.close();
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        node.port = server.getPort();
        try {
            dataPlane.start();
        } catch (RuntimeException e) {
            server.shutdownNow();
            dataPlane.stop(); // deregisters if it got as far as registering
            dataPlane.close();
            throw e;
        }
        LOG.infof("Data-plane pod '%s' listening on %s", nodeId, node.endpoint());
        return new DataPlaneListener(node, dataPlane, server);
    }

    public String nodeId() {
        return node.nodeId();
    }

    /** {@code https://host:port}: where clients reach this pod. */
    public String endpoint() {
        return node.endpoint();
    }

    public int port() {
        return node.port;
    }

    public DataPlane dataPlane() {
        return dataPlane;
    }

    /** Leaves gracefully, letting calls in flight finish for up to {@link #DEFAULT_DRAIN}. */
    public void stop() {
        stop(DEFAULT_DRAIN);
    }

    /**
     * Leaves gracefully: takes no new calls, lets those in flight finish for up to {@code drain},
     * then deregisters the pod (its partitions are free for other pods at once) and cuts what is
     * left.
     */
    public synchronized void stop(Duration drain) {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        awaitTermination(drain);
        dataPlane.stop();
        server.shutdownNow();
        awaitTermination(drain);
        dataPlane.close();
        LOG.infof("Data-plane pod '%s' stopped", node.nodeId());
    }

    /**
     * Stops as a crash would: connections are cut, calls in flight are abandoned, and the pod's
     * registration stays in storage until another pod has seen it unrenewed for a lease.
     */
    public synchronized void halt() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdownNow();
        dataPlane.halt();
        awaitTermination(DEFAULT_DRAIN);
        LOG.infof("Data-plane pod '%s' halted without deregistering", node.nodeId());
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitTermination(Duration timeout) {
        try {
            server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pod's identity; the port is known once the socket is bound, before the pod registers. */
    private static final class Node implements LocalNode {
        private final String nodeId;
        private final String host;
        private volatile int port;

        Node(String nodeId, String host) {
            this.nodeId = nodeId;
            this.host = host;
        }

        @Override
        public String nodeId() {
            return nodeId;
        }

        @Override
        public String endpoint() {
            if (port <= 0) {
                throw new IllegalStateException("the listener of pod '" + nodeId + "' is not bound yet");
            }
            return "https://" + host + ":" + port;
        }
    }
}
