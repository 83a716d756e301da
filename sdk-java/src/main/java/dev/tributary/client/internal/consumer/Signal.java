package dev.tributary.client.internal.consumer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the application thread blocked in the consumer when something it may be waiting for
 * happened: a fetch or offset lookup completed, the group changed the assignment, {@code wakeup()}
 * was called. A counter instead of a flag, so a change that happens between the waiter's last look
 * and its wait is never lost: the waiter reads {@link #version()} first, looks at the state, and
 * then waits only while the version is still the one it read.
 */
final class Signal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long version;

    long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    void signal() {
        lock.lock();
        try {
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the version moves past {@code seen} or {@code deadlineNanos} (System.nanoTime) passes. */
    void awaitChange(long seen, long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (version == seen) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                changed.await(remaining, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}
