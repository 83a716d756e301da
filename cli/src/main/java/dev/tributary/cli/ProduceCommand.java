package dev.tributary.cli;

import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.producer.Callback;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.client.serde.Serdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tributary produce TOPIC}: every line of stdin (UTF-8, empty lines included) becomes one
 * record. Sends are asynchronous and batched by the SDK's producer; the command waits for every
 * acknowledgement, prints a summary to stderr, and fails if any record failed. After the first
 * failure it reads no further lines (records already handed to the producer still complete).
 */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Send the lines of stdin as records, one per line.",
        footer = {"%nExamples:", "  printf 'a\\nb\\n' | bin/tributary produce orders",
                "  printf 'k1:v1\\n' | bin/tributary produce orders --key-separator :", ExitCodes.HELP_FOOTER})
final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    TributaryCli root;
    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP", description = "Split each line at the first SEP into key and value; "
            + "a line without SEP is sent without a key.")
    String keySeparator;

    @Option(names = "--partition", paramLabel = "N", description = "Send every record to partition N (default: by key hash; "
            + "records without a key are spread).")
    Integer partition;

    @Option(names = "--acks", paramLabel = "LEVEL", description = "durable (default: acknowledged once committed and fsynced) or "
            + "none (no acknowledgement, no offsets).")
    String acks;

    @Option(names = "--compression", paramLabel = "TYPE", description = "none (default), lz4 or zstd.")
    String compression;

    @Option(names = {"-P", "--property"}, paramLabel = "KEY=VALUE", description = "Any other producer setting, e.g. linger.ms=20 "
            + "(repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        if (partition != null && partition < 0) {
            throw new ParameterException(spec.commandLine(), "--partition must be 0 or more, not " + partition);
        }
        ProducerConfig config = config();
        Tally tally = new Tally();
        PrintWriter err = spec.commandLine().getErr();
        long lines = 0;
        try (TributaryClient client = connection.connect();
                Producer<String, String> producer = client.newProducer(config, Serdes.stringSerializer(), Serdes.stringSerializer())) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8));
            String line;
            while (!tally.hasFailed() && (line = readLine(reader)) != null) {
                lines++;
                String key = null;
                String value = line;
                if (keySeparator != null) {
                    int at = line.indexOf(keySeparator);
                    if (at >= 0) {
                        key = line.substring(0, at);
                        value = line.substring(at + keySeparator.length());
                    }
                }
                try {
                    producer.send(new ProducerRecord<>(topic, partition, null, key, value, List.of()), tally);
                } catch (TributaryException e) {
                    // Refused before it was queued (e.g. buffer exhausted, unknown topic): counts as a failed record.
                    tally.onCompletion(null, e);
                }
            }
            producer.flush();
        }
        err.println(tally.summary(topic, lines, config.acks() == ProducerConfig.Acks.NONE));
        TributaryException failure = tally.firstFailure();
        if (failure != null) {
            throw failure;
        }
        return ExitCodes.OK;
    }

    /** The producer settings from the options; a bad key or value is a usage error. */
    private ProducerConfig config() {
        ProducerConfig.Builder builder = ProducerConfig.builder().setAll(properties);
        if (acks != null) {
            builder.set(ProducerConfig.ACKS, acks);
        }
        if (compression != null) {
            builder.set(ProducerConfig.COMPRESSION_TYPE, compression);
        }
        try {
            return builder.build();
        } catch (TributaryException e) {
            throw new ParameterException(spec.commandLine(), TributaryCli.detail(e));
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stdin: " + e.getMessage(), e);
        }
    }

    /** Counts acknowledgements (called on the producer's I/O thread) and keeps the offset range per partition. */
    private static final class Tally implements Callback {
        private final Map<Integer, long[]> offsets = new TreeMap<>();
        private long acknowledged;
        private long failed;
        private TributaryException firstFailure;

        @Override
        public synchronized void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = exception instanceof TributaryException t ? t
                            : new TributaryException("PRODUCE_FAILED", String.valueOf(exception.getMessage()), exception);
                }
                return;
            }
            acknowledged++;
            if (metadata.hasOffset()) {
                long[] range = offsets.computeIfAbsent(metadata.partition(), p -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                range[0] = Math.min(range[0], metadata.offset());
                range[1] = Math.max(range[1], metadata.offset());
            }
        }

        synchronized boolean hasFailed() {
            return firstFailure != null;
        }

        synchronized TributaryException firstFailure() {
            return firstFailure;
        }

        synchronized String summary(String topic, long lines, boolean noAcks) {
            StringBuilder s = new StringBuilder("produced " + acknowledged + " of " + lines + " record" + (lines == 1 ? "" : "s")
                    + " to " + topic);
            if (noAcks) {
                s.append(" (acks=none: not confirmed, offsets unknown)");
            } else if (!offsets.isEmpty()) {
                s.append(" (");
                boolean first = true;
                for (Map.Entry<Integer, long[]> e : offsets.entrySet()) {
                    s.append(first ? "" : "; ").append("partition ").append(e.getKey()).append(": offsets ").append(e.getValue()[0])
                            .append('-').append(e.getValue()[1]);
                    first = false;
                }
                s.append(')');
            }
            if (failed > 0) {
                s.append("; ").append(failed).append(" failed");
            }
            return s.toString();
        }
    }
}
