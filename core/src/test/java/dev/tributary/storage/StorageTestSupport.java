package dev.tributary.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.function.Executable;

/** Assertions and encodings shared by the storage tests (and reusable from other modules' test-jar). */
public final class StorageTestSupport {
    /** Upper bound for any single future in a test, so that a hang fails instead of blocking the build. */
    public static final long AWAIT_SECONDS = 30;

    private StorageTestSupport() {}

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** 8-byte little-endian, the operand encoding of ADD / MAX / MIN. */
    public static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    public static long fromLe64(byte[] b) {
        assertEquals(8, b.length, "expected an 8-byte little-endian counter");
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    public static byte[] ub(int... unsignedBytes) {
        byte[] out = new byte[unsignedBytes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) unsignedBytes[i];
        }
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    /** Waits for a future with a bound; rethrows its failure unwrapped so error codes can be asserted. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(AWAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within " + AWAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new CompletionException(cause);
    }

    /**
     * Runs {@code action} and asserts it fails with a {@link StorageException} of {@code expected}
     * (thrown directly or as the cause of a future's failure) that carries a message.
     */
    public static StorageException assertStorageError(StorageErrorCode expected, Executable action) {
        Throwable thrown = null;
        try {
            action.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            fail("expected StorageException " + expected + " but the operation succeeded");
        }
        StorageException se = StorageException.unwrap(thrown);
        if (se == null) {
            fail("expected StorageException " + expected + " but got " + thrown, thrown);
        }
        if (se.code() != expected) {
            fail("expected StorageException " + expected + " but got " + se.code() + ": " + se.getMessage(), se);
        }
        // A precise error names what went wrong, not only the code.
        assertFalse(se.getMessage() == null || se.getMessage().endsWith(": null") || se.getMessage().isBlank(),
                "error " + expected + " has no message");
        return se;
    }

    /** Asserts that {@code future} has not completed (normally or not) within {@code millis}. */
    public static void assertNotCompletedWithin(CompletableFuture<?> future, long millis, String what) {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            fail(what + ": completed although nothing changed");
        } catch (TimeoutException expected) {
            // still pending, as it should be
        } catch (ExecutionException | CancellationException e) {
            fail(what + ": failed although nothing changed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts that {@code future} completes exceptionally within {@code seconds}; returns the failure. */
    public static Throwable assertFailsWithin(CompletableFuture<?> future, long seconds, String what) {
        try {
            future.get(seconds, TimeUnit.SECONDS);
            fail(what + ": completed normally, expected it to fail");
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        } catch (TimeoutException e) {
            fail(what + ": still pending after " + seconds + " s, expected it to fail");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A body run by each of {@code threads} concurrent workers, given the worker's index. */
    @FunctionalInterface
    public interface Worker {
        void run(int index) throws Exception;
    }

    /**
     * Starts {@code threads} workers at the same moment and waits (bounded) for all of them; the
     * first worker failure fails the test.
     */
    public static void runConcurrently(int threads, long timeoutSeconds, Worker worker) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    worker.run(index);
                    return null;
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            for (Future<?> f : futures) {
                long left = deadline - System.nanoTime();
                try {
                    f.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    throw rethrowAssertion(e.getCause());
                } catch (TimeoutException e) {
                    fail("concurrent workers did not finish within " + timeoutSeconds + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static RuntimeException rethrowAssertion(Throwable cause) {
        if (cause instanceof Error err) {
            throw err;
        }
        if (cause instanceof RuntimeException re) {
            return re;
        }
        return new RuntimeException(cause);
    }

    /** The versionstamped-operand packing of core ({@link Keys#packWithVersionstamp}), asserting its layout. */
    public static byte[] packWithVersionstamp(byte[] prefix, Tuple tuple) {
        byte[] operand = Keys.packWithVersionstamp(prefix, tuple);
        int offset = ByteBuffer.wrap(operand, operand.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(0x33, operand[offset - 1] & 0xff, "versionstamp type code not where expected");
        return operand;
    }

    public static byte[] packWithVersionstamp(Tuple tuple) {
        return packWithVersionstamp(new byte[0], tuple);
    }
}
