package dev.tributary.client.internal.producer;

import dev.tributary.client.TributaryException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code buffer.memory}: the bytes of records the producer holds (queued, being sent, awaiting
 * retry). Senders reserve before appending and block while the budget is spent; bytes come back
 * when their batch completes. Waiters are served first come, first served, so a large record is
 * not starved by a stream of small ones.
 */
final class BufferBudget {
    private final long total;
    private final ReentrantLock lock = new ReentrantLock();
    /** Threads waiting for bytes, oldest first; only the oldest may take. */
    private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
    private long available;
    private boolean closed;

    BufferBudget(long total) {
        this.total = total;
        this.available = total;
    }

    long total() {
        return total;
    }

    long available() {
        lock.lock();
        try {
            return available;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code bytes} (at most {@link #total()}), waiting up to {@code maxWaitNanos} behind
     * earlier waiters. Returns false when the time ran out; throws CLOSED once {@link #close()}
     * was called.
     */
    boolean reserve(long bytes, long maxWaitNanos) throws InterruptedException {
        if (bytes > total) {
            throw new IllegalArgumentException(bytes + " bytes can never fit a budget of " + total);
        }
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (waiters.isEmpty() && available >= bytes) {
                available -= bytes;
                return true;
            }
            Condition turn = lock.newCondition();
            waiters.addLast(turn);
            try {
                long remaining = maxWaitNanos;
                while (true) {
                    if (closed) {
                        throw closedException();
                    }
                    if (waiters.peekFirst() == turn && available >= bytes) {
                        available -= bytes;
                        return true;
                    }
                    if (remaining <= 0) {
                        return false;
                    }
                    remaining = turn.awaitNanos(remaining);
                }
            } finally {
                waiters.remove(turn);
                // Whatever this waiter leaves (or did not take) may serve the next one.
                Condition next = waiters.peekFirst();
                if (next != null) {
                    next.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            available += bytes;
            Condition next = waiters.peekFirst();
            if (next != null) {
                next.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Fails every current and later {@link #reserve} with CLOSED. */
    void close() {
        lock.lock();
        try {
            closed = true;
            waiters.forEach(Condition::signal);
        } finally {
            lock.unlock();
        }
    }

    private static TributaryException closedException() {
        return new TributaryException(TributaryException.CLOSED, "the producer is closed");
    }
}
