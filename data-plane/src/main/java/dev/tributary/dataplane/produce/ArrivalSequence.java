package dev.tributary.dataplane.produce;

import java.util.ArrayDeque;

/**
 * The Produce calls of one connection in the order they arrived, each holding a {@link Ticket}
 * until it has taken its places in the append order ({@link Ticket#inTurn}) or ended without
 * ({@link Ticket#release}). A call's places are taken only after those of every call that arrived
 * before it: a later call whose handler runs first waits (without a thread) for the earlier ones.
 * Calls of other connections never wait for these.
 *
 * <p>Thread-safe; the work run in turn runs outside the lock, one ticket after the other and in
 * ticket order, on the thread that let it go.
 */
public final class ArrivalSequence {
    private final ArrayDeque<Ticket> open = new ArrayDeque<>();
    private boolean running;

    /** The next call's ticket, in arrival order. */
    public synchronized Ticket next() {
        Ticket ticket = new Ticket();
        open.addLast(ticket);
        return ticket;
    }

    /** Tickets issued and not yet done (calls that arrived and neither took their places nor ended). */
    public synchronized int waiting() {
        return open.size();
    }

    /** Runs the work of every ticket at the head whose turn has come, in order; drops finished ones. */
    private void advance() {
        while (true) {
            Runnable work;
            synchronized (this) {
                if (running) {
                    return; // the thread running work loops again afterwards and sees this change
                }
                while (!open.isEmpty() && open.peekFirst().done) {
                    open.pollFirst();
                }
                Ticket head = open.peekFirst();
                if (head == null || head.work == null) {
                    return;
                }
                work = head.work;
                head.work = null;
                head.done = true;
                open.pollFirst();
                running = true;
            }
            try {
                work.run();
            } finally {
                synchronized (this) {
                    running = false;
                }
            }
        }
    }

    /** One call's place in the connection's arrival order. */
    public final class Ticket {
        // Guarded by the sequence.
        private Runnable work;
        private boolean done;

        private Ticket() {}

        /**
         * Runs {@code work} once every earlier ticket is done (at once if they are), then this one
         * is done. If the ticket was released already (its call ended), runs it at once.
         */
        public void inTurn(Runnable work) {
            synchronized (ArrivalSequence.this) {
                if (done || this.work != null) {
                    if (this.work != null) {
                        throw new IllegalStateException("inTurn called twice for one call");
                    }
                } else {
                    this.work = work;
                    work = null;
                }
            }
            if (work != null) {
                work.run();
                return;
            }
            advance();
        }

        /** The call ended: later calls no longer wait for it, and work it still waits to run is dropped. Idempotent. */
        public void release() {
            synchronized (ArrivalSequence.this) {
                if (done) {
                    return;
                }
                done = true;
                work = null;
            }
            advance();
        }
    }
}
