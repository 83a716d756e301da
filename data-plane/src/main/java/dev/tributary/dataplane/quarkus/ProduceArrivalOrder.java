package dev.tributary.dataplane.quarkus;

import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.dataplane.produce.ArrivalSequence;
import dev.tributary.dataplane.produce.CallOrder;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The arrival order of Produce calls on the server application's listener: a route that runs
 * when a call's headers arrive, before authentication, gives each Produce call a {@link
 * ArrivalSequence.Ticket} in its HTTP/2 connection's sequence, and {@link #inTurn} lets the call
 * take its places in the append order only after every Produce call that arrived before it on the
 * same connection has taken its own or ended. HTTP/2 opens a connection's streams in the order the
 * client creates them and the router sees their headers in that order, so this is the order in
 * which the client started the calls. Without it, the handler's invocation order would decide, and
 * authentication (which may read the store on a worker thread, in parallel for several calls)
 * can finish out of order.
 *
 * <p>The ticket travels from the route to the handler as a local of the request's Vert.x
 * (duplicated) context, where Quarkus's gRPC support also puts the caller's identity. It is let go
 * when the call's response ends or its stream closes, whether or not the handler ran, so a call
 * refused before its handler (a bad token, a cancellation) never holds up the calls behind it.
 */
@Singleton
public class ProduceArrivalOrder implements CallOrder {
    /** Before Quarkus's authentication (-200) and everything else that may complete asynchronously. */
    static final int ROUTE_ORDER = -10_000;
    private static final String PRODUCE_PATH = "/" + ProduceServiceGrpc.getProduceMethod().getFullMethodName();
    private static final String TICKET = ProduceArrivalOrder.class.getName() + ".ticket";

    /** Weak keys: a connection's sequence goes with the connection. */
    private final Map<HttpConnection, ArrivalSequence> connections = new WeakHashMap<>();
    private final LongAdder ordered = new LongAdder();

    void install(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::onArrival);
    }

    private void onArrival(RoutingContext context) {
        HttpServerRequest request = context.request();
        Context vertxContext = Vertx.currentContext();
        // Only on the request's own (duplicated) context, whose locals no other request sees; a
        // call that gets no ticket takes its places when its handler runs.
        if (vertxContext != null && VertxContext.isDuplicatedContext(vertxContext) && request.version() == HttpVersion.HTTP_2
                && PRODUCE_PATH.equals(request.path())) {
            ArrivalSequence sequence;
            synchronized (connections) {
                sequence = connections.computeIfAbsent(request.connection(), c -> new ArrivalSequence());
            }
            ArrivalSequence.Ticket ticket = sequence.next();
            vertxContext.putLocal(TICKET, ticket);
            context.addEndHandler(ended -> ticket.release());
        }
        context.next();
    }

    @Override
    public void inTurn(Runnable takePlaces) {
        Context vertxContext = Vertx.currentContext();
        ArrivalSequence.Ticket ticket = vertxContext == null || !VertxContext.isDuplicatedContext(vertxContext) ? null
                : vertxContext.getLocal(TICKET);
        if (ticket == null) {
            takePlaces.run(); // not a call that came through the route: handler order
            return;
        }
        vertxContext.removeLocal(TICKET);
        ordered.increment();
        ticket.inTurn(takePlaces);
    }

    /** Produce calls that took their places in arrival order so far. */
    public long orderedCalls() {
        return ordered.sum();
    }

    /** Connections with a live sequence (until their connection objects are collected). */
    public int connections() {
        synchronized (connections) {
            return connections.size();
        }
    }
}
