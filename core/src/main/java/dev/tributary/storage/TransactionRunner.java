package dev.tributary.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The retry loop every backend shares, so that retry behaviour is identical on the embedded store
 * and on FoundationDB: retry on retryable errors with jittered exponential backoff, give up after
 * {@link #MAX_ATTEMPTS} attempts with the last error.
 */
public final class TransactionRunner {
    /** Attempts before the last retryable error is thrown. */
    public static final int MAX_ATTEMPTS = 100;
    static final long INITIAL_BACKOFF_MICROS = 1_000;
    static final long MAX_BACKOFF_MICROS = 1_000_000;

    private TransactionRunner() {}

    public static <T> T run(KeyValueStore store, Function<? super Transaction, T> body) {
        StorageException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try (Transaction tx = store.createTransaction()) {
                T result = body.apply(tx);
                tx.commit().join();
                return result;
            } catch (RuntimeException e) {
                StorageException se = StorageException.unwrap(e);
                if (se == null || !se.isRetryable()) {
                    throw rethrow(e, se);
                }
                last = se;
            }
            sleepMicros(backoffMicros(attempt));
        }
        throw retriesExhausted(last);
    }

    public static <T> T read(KeyValueStore store, Function<? super ReadTransaction, T> body) {
        StorageException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try (Transaction tx = store.createTransaction()) {
                return body.apply(tx);
            } catch (RuntimeException e) {
                StorageException se = StorageException.unwrap(e);
                if (se == null || !se.isRetryable()) {
                    throw rethrow(e, se);
                }
                last = se;
            }
            sleepMicros(backoffMicros(attempt));
        }
        throw retriesExhausted(last);
    }

    public static <T> CompletableFuture<T> runAsync(
            KeyValueStore store, Function<? super Transaction, ? extends CompletableFuture<T>> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attemptAsync(store, body, 0, null, result);
        return result;
    }

    private static <T> void attemptAsync(KeyValueStore store,
            Function<? super Transaction, ? extends CompletableFuture<T>> body,
            int attempt, StorageException last, CompletableFuture<T> result) {
        if (attempt >= MAX_ATTEMPTS) {
            result.completeExceptionally(retriesExhausted(last));
            return;
        }
        Transaction tx;
        CompletableFuture<T> done;
        try {
            tx = store.createTransaction();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        try {
            done = body.apply(tx).thenCompose(value -> tx.commit().thenApply(ignored -> value));
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((value, error) -> {
            tx.close();
            if (error == null) {
                result.complete(value);
                return;
            }
            StorageException se = StorageException.unwrap(error);
            if (se == null || !se.isRetryable()) {
                result.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
                return;
            }
            Executor later = CompletableFuture.delayedExecutor(backoffMicros(attempt), TimeUnit.MICROSECONDS);
            later.execute(() -> attemptAsync(store, body, attempt + 1, se, result));
        });
    }

    /** Jittered exponential backoff: uniformly in [0, min(max, initial * 2^attempt)]. */
    static long backoffMicros(int attempt) {
        long cap = Math.min(MAX_BACKOFF_MICROS, INITIAL_BACKOFF_MICROS << Math.min(attempt, 20));
        return ThreadLocalRandom.current().nextLong(cap + 1);
    }

    private static void sleepMicros(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageErrorCode.TRANSACTION_CANCELLED, "interrupted while retrying", e);
        }
    }

    private static RuntimeException rethrow(RuntimeException e, StorageException se) {
        // Surface the StorageException itself rather than the CompletionException around it.
        return se != null ? se : e;
    }

    private static StorageException retriesExhausted(StorageException last) {
        return new StorageException(StorageErrorCode.TRANSACTION_TIMED_OUT,
                "gave up after " + MAX_ATTEMPTS + " attempts; last error: " + (last == null ? "none" : last.getMessage()),
                last);
    }
}
