package dev.tributary.storage.foundationdb;

import com.apple.foundationdb.FDBException;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** FDBException → StorageException, one-to-one by FoundationDB error number. */
final class FdbErrors {
    private FdbErrors() {}

    /**
     * The StorageException for an FDBException found under {@code t}'s completion wrappers; any other
     * throwable is returned unwrapped but unchanged, so programming errors stay visible as themselves.
     */
    static Throwable translate(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        if (cur instanceof FDBException fe) {
            return of(fe);
        }
        return cur;
    }

    static StorageException of(FDBException e) {
        StorageErrorCode code = StorageErrorCode.fromFdbCode(e.getCode());
        String message = "FoundationDB error " + e.getCode() + ": " + e.getMessage();
        if (code == StorageErrorCode.INTERNAL && e.isRetryable()) {
            // FoundationDB's own retry loop would retry this one; the SPI has no code for it, so run()
            // does not. Said in the message so that a missing StorageErrorCode is easy to spot.
            message += " (retryable in FoundationDB, unclassified in the storage SPI)";
        }
        return new StorageException(code, message, e);
    }

    /** For synchronous calls: rethrows as an unchecked exception, translated. */
    static RuntimeException rethrow(RuntimeException e) {
        Throwable t = translate(e);
        return t instanceof RuntimeException re ? re : e;
    }

    /**
     * A future that completes like {@code source} but fails with translated errors. Cancelling it
     * cancels {@code source} too, which frees the native future (for watches: the watch slot).
     */
    static <T, R> CompletableFuture<R> map(CompletableFuture<T> source, Function<? super T, ? extends R> convert) {
        CompletableFuture<R> out = new CompletableFuture<>();
        source.whenComplete((value, error) -> {
            if (error != null) {
                out.completeExceptionally(translate(error));
                return;
            }
            try {
                out.complete(convert.apply(value));
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        out.whenComplete((value, error) -> {
            if (out.isCancelled()) {
                source.cancel(false);
            }
        });
        return out;
    }

    static <T> CompletableFuture<T> map(CompletableFuture<T> source) {
        return map(source, Function.identity());
    }

    /** Waits for {@code f}; failures come out translated. */
    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            throw rethrow(e);
        }
    }
}
