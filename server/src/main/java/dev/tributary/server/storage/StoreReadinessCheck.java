package dev.tributary.server.storage;

import dev.tributary.server.config.TributaryConfig;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StorageException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready means the store answers a real read: a read version and a one-key range read, within
 * {@code tributary.health.storage-timeout}. A read that hangs (an unreachable FoundationDB
 * cluster) is not restarted by every probe: while it is pending the check reports DOWN at once.
 */
@Readiness
@ApplicationScoped
public class StoreReadinessCheck implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(StoreReadinessCheck.class);
    static final String NAME = "storage";
    private static final byte[] FIRST_KEY = {0x00};
    private static final byte[] SYSTEM_KEYS = {(byte) 0xff};

    private final KeyValueStore store;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tributary-readiness");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<CompletableFuture<Long>> pending = new AtomicReference<>();

    @Inject
    StoreReadinessCheck(KeyValueStore store, TributaryConfig config) {
        this(store, config.health().storageTimeout());
    }

    StoreReadinessCheck(KeyValueStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("backend", store.backendName());
        CompletableFuture<Long> read = new CompletableFuture<>();
        CompletableFuture<Long> previous = pending.compareAndExchange(null, read);
        if (previous != null) {
            return response.down().withData("error", "an earlier store read has not finished").build();
        }
        long start = System.nanoTime();
        executor.execute(() -> {
            try {
                read.complete(store.read(tx -> {
                    long version = tx.getReadVersion();
                    tx.snapshot().getRange(FIRST_KEY, SYSTEM_KEYS, 1, false).join();
                    return version;
                }));
            } catch (Throwable t) {
                read.completeExceptionally(t);
            } finally {
                pending.compareAndSet(read, null);
            }
        });
        try {
            long version = read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return response.up()
                    .withData("readVersion", version)
                    .withData("latencyMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .build();
        } catch (TimeoutException e) {
            LOG.warnf("Not ready: no answer from the %s store within %d ms", store.backendName(), timeout.toMillis());
            return response.down().withData("error", "no answer from the store within " + timeout.toMillis() + " ms").build();
        } catch (ExecutionException e) {
            // The probe is unauthenticated: the response names the error code, the log has the details.
            LOG.warnf(e.getCause(), "Not ready: the %s store read failed", store.backendName());
            StorageException se = StorageException.unwrap(e.getCause());
            return response.down()
                    .withData("error", se != null ? se.code().name() : "INTERNAL")
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        }
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
    }
}
