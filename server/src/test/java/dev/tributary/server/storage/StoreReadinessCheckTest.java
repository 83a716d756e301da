package dev.tributary.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StoreConfig;
import dev.tributary.storage.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness follows the store: UP while it answers, DOWN when it fails or does not answer in time. */
class StoreReadinessCheckTest {
    @TempDir
    Path dir;

    @Test
    void upWhileTheStoreAnswersDownOnceItIsClosed() {
        KeyValueStore store = StoreConfig.embedded(dir.resolve("store")).open();
        StoreReadinessCheck check = new StoreReadinessCheck(store, Duration.ofSeconds(5));
        try {
            HealthCheckResponse up = check.call();
            assertEquals(HealthCheckResponse.Status.UP, up.getStatus());
            assertEquals("embedded", up.getData().orElseThrow().get("backend"));

            store.close();
            HealthCheckResponse down = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            assertEquals("STORE_CLOSED", down.getData().orElseThrow().get("error"));
        } finally {
            check.shutdown();
            store.close();
        }
    }

    @Test
    void downWhenTheStoreDoesNotAnswerInTimeWithoutPilingUpReads() throws Exception {
        KeyValueStore real = StoreConfig.embedded(dir.resolve("store")).open();
        CountDownLatch release = new CountDownLatch(1);
        // The real store behind a gate, like a FoundationDB cluster that cannot be reached.
        KeyValueStore hanging = new KeyValueStore() {
            @Override
            public Transaction createTransaction() {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return real.createTransaction();
            }

            @Override
            public String backendName() {
                return real.backendName();
            }

            @Override
            public void close() {
                real.close();
            }
        };
        StoreReadinessCheck check = new StoreReadinessCheck(hanging, Duration.ofMillis(200));
        try {
            HealthCheckResponse timedOut = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, timedOut.getStatus());
            assertTrue(String.valueOf(timedOut.getData().orElseThrow().get("error")).contains("200 ms"));

            HealthCheckResponse stillPending = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, stillPending.getStatus());
            assertTrue(String.valueOf(stillPending.getData().orElseThrow().get("error")).contains("not finished"));

            release.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            HealthCheckResponse recovered;
            do {
                Thread.sleep(20);
                recovered = check.call();
            } while (recovered.getStatus() != HealthCheckResponse.Status.UP && System.nanoTime() < deadline);
            assertEquals(HealthCheckResponse.Status.UP, recovered.getStatus());
        } finally {
            release.countDown();
            check.shutdown();
            real.close();
        }
    }
}
