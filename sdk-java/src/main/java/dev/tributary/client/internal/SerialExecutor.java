package dev.tributary.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in the order they were submitted, on threads of another executor.
 * Given to gRPC as a call's executor, it makes grpc-java start the calls it had to hold back (while
 * the channel connects, or leaves idle mode) in the order they were made, rather than on several
 * threads of its own pool at once.
 */
public final class SerialExecutor implements Executor {
    private final Executor threads;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(Executor threads) {
        this.threads = threads;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.addLast(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            threads.execute(this::runAll);
        } catch (RuntimeException e) {
            synchronized (this) {
                running = false;
            }
            throw e;
        }
    }

    private void runAll() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.pollFirst();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // A task's failure is its own; the ones after it still run.
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }
}
