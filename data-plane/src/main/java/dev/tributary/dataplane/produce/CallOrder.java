package dev.tributary.dataplane.produce;

/**
 * When a Produce call takes its places in the append order of its partitions ({@link
 * AppendCoalescer#reserve}): the transport's part of the order guarantee. A gRPC handler can be
 * invoked in another order than the client sent the calls in, because whatever runs before it
 * may finish out of order (authentication reads the store off the event loop, for one); a
 * transport that knows the order in which calls arrived on a connection holds each call's places
 * back until every call that arrived before it on that connection has taken its own (or ended
 * without reaching the handler).
 */
@FunctionalInterface
public interface CallOrder {
    /**
     * Runs {@code takePlaces} for the current call (the one whose handler is running on this
     * thread) in its turn: at once, or later on whichever thread lets it go. Called at most once
     * per call. A call that ends without calling it is let go by the transport when it ends.
     */
    void inTurn(Runnable takePlaces);

    /** The order in which the handler is invoked: takes the places at once. */
    CallOrder HANDLER_INVOCATION = Runnable::run;
}
