package dev.tributary.storage.embedded;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this JVM's own binary and class path, with its stdout read line by line on a
 * background thread (so reads can time out) and its stderr kept in a file for failure messages.
 */
final class ChildJvm implements AutoCloseable {
    private static final String END = "\u0000end-of-output";

    private final Process process;
    private final Path stderr;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private boolean ended;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The pipe breaks when the child is killed; whatever was read before counts.
            } finally {
                lines.add(END);
            }
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildJvm start(Class<?> mainClass, Path stderr, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // small and quick to start
                "-cp", System.getProperty("java.class.path"),
                mainClass.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new ChildJvm(p, stderr);
    }

    Process process() {
        return process;
    }

    /** The next stdout line, or null once the child's output has ended; fails the test on timeout. */
    String nextLine(Duration timeout) throws InterruptedException {
        if (ended) {
            return null;
        }
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("child JVM printed nothing for " + timeout + "; stderr:\n" + stderr());
        }
        if (END.equals(line)) {
            ended = true;
            return null;
        }
        return line;
    }

    /** Reads lines until one starts with {@code prefix}; fails if output ends or times out first. */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("child JVM did not print '" + prefix + "' within " + timeout + "; stderr:\n" + stderr());
            }
            String line = nextLine(Duration.ofNanos(left));
            if (line == null) {
                fail("child JVM ended without printing '" + prefix + "' (exit " + exitCode() + "); stderr:\n" + stderr());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** SIGKILL on Linux: no shutdown hooks, no flush, no close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            fail("child JVM " + process.pid() + " did not die after SIGKILL");
        }
    }

    /** Closing stdin is the child's signal to stop (it also stops by itself if this JVM dies). */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("child JVM did not exit within " + timeout + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    private String exitCode() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    String stderr() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
