package dev.tributary.storage.embedded;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Shared plumbing of the child-JVM main classes. */
final class ChildMains {
    /** A child never outlives this, whatever happens to its parent. */
    static final long MAX_CHILD_LIFETIME_MILLIS = 120_000;

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.US_ASCII);

    private ChildMains() {}

    /** Prints one line to stdout and flushes it, atomically with respect to other threads. */
    static void emit(String line) {
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }

    /**
     * Runs {@code onEndOfInput} when stdin reaches end of file, which happens when the parent closes
     * it or dies; and halts the JVM after {@link #MAX_CHILD_LIFETIME_MILLIS} regardless.
     */
    static void watchParent(Runnable onEndOfInput) {
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the parent sends nothing; we only wait for the end of input
                }
            } catch (IOException ignored) {
                // treated as end of input
            }
            onEndOfInput.run();
        }, "parent-watch");
        stdin.setDaemon(true);
        stdin.start();
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(MAX_CHILD_LIFETIME_MILLIS);
            } catch (InterruptedException ignored) {
                // halt anyway
            }
            System.err.println("child JVM reached its maximum lifetime; halting");
            Runtime.getRuntime().halt(4);
        }, "lifetime-limit");
        deadline.setDaemon(true);
        deadline.start();
    }
}
