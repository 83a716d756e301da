package dev.tributary.dataplane;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads on which the data plane does blocking storage work, so that gRPC handlers return
 * to the transport's threads at once (a commit waits for an fsync; a FoundationDB read for the
 * network). A dedicated pool rather than the application server's worker pool: long-poll
 * continuations and append drains must not compete with REST requests for workers. One per
 * {@link DataPlane}.
 */
public final class StorageExecutor implements Executor {
    private final ExecutorService pool;

    /**
     * @param threads at most this many storage operations run at once
     * @param threadNamePrefix thread names are this plus a number (tells instances apart in a thread dump)
     */
    public StorageExecutor(int threads, String threadNamePrefix) {
        int size = Math.max(1, threads);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadNamePrefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    @Override
    public void execute(Runnable command) {
        pool.execute(command);
    }

    /** Stops the threads; work not yet started is dropped, running work is interrupted. */
    public void shutdown() {
        pool.shutdownNow();
    }
}
