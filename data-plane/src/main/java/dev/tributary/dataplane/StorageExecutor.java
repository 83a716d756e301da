package dev.tributary.dataplane;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads on which the data plane does blocking storage work, so that gRPC handlers return
 * to the Vert.x event loop at once (a commit waits for an fsync; a FoundationDB read for the
 * network). A dedicated pool rather than Quarkus's worker pool: long-poll continuations and
 * append drains must not compete with REST requests for workers.
 */
@Singleton
public class StorageExecutor implements Executor {
    private final ExecutorService pool;

    StorageExecutor(DataPlaneConfig config) {
        int threads = Math.max(1, config.storageThreads());
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "tributary-data-plane-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    @Override
    public void execute(Runnable command) {
        pool.execute(command);
    }

    @PreDestroy
    void shutdown() {
        pool.shutdownNow();
    }
}
