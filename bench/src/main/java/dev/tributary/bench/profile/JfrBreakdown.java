package dev.tributary.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where a Tributary server's Java CPU time went, from a flight recording (JFR {@code
 * jdk.ExecutionSample} events), by component: each sample is charged to the bearer-token check if
 * any frame of its stack belongs to it (the signature math runs deep inside JDK classes), else to
 * the component of its innermost non-JDK frame, so that a JDK method (a copy, a hash map) counts
 * for whoever called it. Only Java execution is sampled: native work (RocksDB, fsync, GC) is not.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.profile.JfrBreakdown \
 *     --last-seconds 55 server.jfr
 * </pre>
 */
@Command(name = "JfrBreakdown", mixinStandardHelpOptions = true,
        description = "A Tributary server's sampled Java CPU time by component, from a JFR recording.")
public final class JfrBreakdown implements Callable<Integer> {
    /** Component names in report order; the first matching rule wins. */
    private static final String TOKEN = "bearer-token verification (signature check on every call)";
    private static final String CRYPTO = "TLS crypto (JSSE, AES-GCM)";
    private static final String TRANSPORT = "Netty, Vert.x, HTTP/2: framing and buffer copies";
    private static final String GRPC = "gRPC, protobuf";
    private static final String TRIBUTARY = "Tributary (data plane, log, storage, record batches, key tuples)";
    private static final String ROCKSDB = "RocksDB (Java side)";
    private static final String METRICS = "metrics";
    private static final String FRAMEWORK = "Quarkus, SmallRye, JBoss (framework)";
    private static final String OTHER = "other";

    @Parameters(index = "0", description = "the .jfr file")
    Path recording;

    @Option(names = "--last-seconds", description = "only the samples of the last N seconds before the recording's last sample (default: all)")
    Double lastSeconds;

    @Option(names = "--thread-prefix", description = "only threads whose name starts with this")
    String threadPrefix;

    public static void main(String[] args) {
        System.exit(new CommandLine(new JfrBreakdown()).execute(args));
    }

    private record Sample(Instant time, String thread, List<String> frames) {}

    @Override
    public Integer call() throws IOException {
        List<Sample> samples = new ArrayList<>();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                RecordedThread thread = event.getThread("sampledThread");
                String threadName = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
                List<String> frames = new ArrayList<>();
                for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                    if (frame.isJavaFrame()) {
                        frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
                    }
                }
                samples.add(new Sample(event.getStartTime(), threadName, frames));
            }
        }
        if (samples.isEmpty()) {
            System.out.println("no execution samples in " + recording);
            return 1;
        }
        Instant last = samples.stream().map(Sample::time).max(Instant::compareTo).orElseThrow();
        Instant from = lastSeconds == null ? Instant.MIN : last.minus(Duration.ofMillis((long) (lastSeconds * 1000)));
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String c : List.of(TOKEN, TRANSPORT, CRYPTO, GRPC, TRIBUTARY, ROCKSDB, METRICS, FRAMEWORK, OTHER)) {
            counts.put(c, 0);
        }
        int total = 0;
        int onEventLoops = 0;
        for (Sample s : samples) {
            if (s.time().isBefore(from) || (threadPrefix != null && !s.thread().startsWith(threadPrefix))) {
                continue;
            }
            total++;
            if (s.thread().startsWith("vert.x-eventloop")) {
                onEventLoops++;
            }
            counts.merge(component(s.frames()), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "%d samples%s; %.0f%% on Vert.x event loops%n", total,
                lastSeconds == null ? "" : String.format(Locale.ROOT, " in the last %.0f s", lastSeconds),
                total == 0 ? 0.0 : 100.0 * onEventLoops / total);
        int n = total;
        counts.entrySet().stream().filter(e -> e.getValue() > 0).sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> System.out.printf(Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey()));
        return 0;
    }

    static String component(List<String> frames) {
        for (String f : frames) {
            // ES256 verification: quarkus-oidc and jose4j call into the JDK's P-256 arithmetic.
            if (f.startsWith("io.quarkus.oidc") || f.startsWith("org.jose4j") || f.contains("ECDSASignature")
                    || f.contains("IntegerPolynomialP256") || f.startsWith("dev.tributary.controlplane.security.BearerTokenVerifier")) {
                return TOKEN;
            }
        }
        for (String f : frames) {
            if (f.startsWith("com.sun.crypto") || f.startsWith("sun.security") || f.startsWith("javax.crypto")) {
                return CRYPTO;
            }
            if (f.startsWith("java.") || f.startsWith("jdk.") || f.startsWith("sun.") || f.startsWith("com.sun.")) {
                continue; // charged to the caller
            }
            if (f.startsWith("io.netty") || f.startsWith("io.vertx") || f.startsWith("io.grpc.netty")) {
                return TRANSPORT;
            }
            if (f.startsWith("io.grpc") || f.startsWith("com.google.protobuf")) {
                return GRPC;
            }
            if (f.startsWith("dev.tributary") || f.startsWith("com.apple.foundationdb.tuple")) {
                return TRIBUTARY;
            }
            if (f.startsWith("org.rocksdb")) {
                return ROCKSDB;
            }
            if (f.startsWith("io.micrometer")) {
                return METRICS;
            }
            if (f.startsWith("io.quarkus") || f.startsWith("io.smallrye") || f.startsWith("org.jboss")) {
                return FRAMEWORK;
            }
            return OTHER;
        }
        return OTHER;
    }
}
