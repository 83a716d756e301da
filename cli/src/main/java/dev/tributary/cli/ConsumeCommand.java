package dev.tributary.cli;

import static dev.tributary.cli.TributaryCli.await;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.consumer.ConsumerRecords;
import dev.tributary.client.serde.Serdes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tributary consume TOPIC}: record values to stdout, one per line (UTF-8; a null value prints
 * as {@code null}). With {@code --group} it is a member of that consumer group and commits what it
 * printed after each batch is written out (at-least-once: a crash in between prints those records
 * again next time). Without a group it reads every partition (or {@code --partition}) directly and
 * commits nothing. Ends after {@code --max} records, after {@code --timeout-ms} without a record, or
 * on Ctrl-C (leaving the group cleanly).
 */
@Command(name = "consume", mixinStandardHelpOptions = true, description = "Print the records of a topic to stdout, one per line.",
        footer = {"%nExamples:", "  bin/tributary consume orders --from-beginning --max 2",
                "  bin/tributary consume orders --group billing --print-key --timeout-ms 5000", ExitCodes.HELP_FOOTER})
final class ConsumeCommand implements Callable<Integer> {
    /** Longest single poll, so that the idle timeout and Ctrl-C are noticed promptly. */
    private static final Duration MAX_POLL_WAIT = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP", description = "Consume as a member of this consumer group and commit what "
            + "was printed.")
    String group;

    @Option(names = "--from-beginning", description = "Start at the earliest retained record (with --group: only where the group "
            + "has no committed offset yet). Default: only records produced from now on.")
    boolean fromBeginning;

    @Option(names = "--partition", paramLabel = "N", description = "Read only partition N (not with --group).")
    Integer partition;

    @Option(names = "--max", paramLabel = "N", description = "Exit after printing N records.")
    Long max;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Exit when no record arrived for MS milliseconds "
            + "(default: wait until Ctrl-C or --max).")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key before the value (a null key prints as null).")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print PARTITION:OFFSET before the key and value.")
    boolean printOffset;

    @Option(names = "--key-separator", paramLabel = "SEP", defaultValue = "\t",
            description = "What separates the printed fields (default: a tab).")
    String separator;

    @Option(names = {"-P", "--property"}, paramLabel = "KEY=VALUE", description = "Any other consumer setting, e.g. "
            + "max.poll.records=100 (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    private volatile boolean stopping;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be 1 or more, not " + max);
        }
        if (timeoutMs != null && timeoutMs < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout-ms must be 0 or more, not " + timeoutMs);
        }
        if (partition != null && (partition < 0 || group != null)) {
            throw new ParameterException(spec.commandLine(), group != null ? "--partition cannot be combined with --group: the group "
                    + "assigns partitions" : "--partition must be 0 or more, not " + partition);
        }
        if (group != null && group.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--group must not be empty");
        }
        ConsumerConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch finished = new CountDownLatch(1);
        long printed = 0;
        try (TributaryClient client = connection.connect();
                Consumer<String, String> consumer = client.newConsumer(config, Serdes.stringDeserializer(), Serdes.stringDeserializer())) {
            Thread onInterrupt = new Thread(() -> {
                // Ctrl-C: stop polling, let the main thread commit nothing more and leave the group.
                stopping = true;
                consumer.wakeup();
                try {
                    finished.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "tributary-consume-shutdown");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            try {
                start(client, consumer);
                printed = loop(consumer, out);
            } finally {
                removeHook(onInterrupt);
            }
        } finally {
            finished.countDown();
        }
        out.flush();
        err.println("consumed " + printed + " record" + (printed == 1 ? "" : "s") + " from " + topic);
        return ExitCodes.OK;
    }

    private ConsumerConfig config() {
        ConsumerConfig.Builder builder = ConsumerConfig.builder().setAll(properties);
        if (fromBeginning) {
            builder.autoOffsetReset(ConsumerConfig.OffsetReset.EARLIEST);
        }
        if (group != null) {
            builder.groupId(group);
        }
        // This command commits itself, after the records are written out, never before.
        builder.enableAutoCommit(false);
        try {
            return builder.build();
        } catch (TributaryException e) {
            throw new ParameterException(spec.commandLine(), TributaryCli.detail(e));
        }
    }

    /** Joins the group, or assigns the partitions and positions them at the beginning or the end. */
    private void start(TributaryClient client, Consumer<String, String> consumer) {
        if (group != null) {
            consumer.subscribe(List.of(topic));
            return;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        if (partition != null) {
            partitions.add(new TopicPartition(topic, partition));
        } else {
            int count = await(client.admin().describeTopic(topic)).partitions();
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
    }

    /** Polls and prints until --max, the idle timeout, Ctrl-C, or a closed stdout; returns how many records were printed. */
    private long loop(Consumer<String, String> consumer, PrintWriter out) {
        long printed = 0;
        long lastArrival = System.nanoTime();
        while (!stopping && (max == null || printed < max)) {
            Duration wait = MAX_POLL_WAIT;
            if (timeoutMs != null) {
                long idleLeft = timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastArrival);
                if (idleLeft <= 0) {
                    break;
                }
                wait = Duration.ofMillis(Math.min(idleLeft, MAX_POLL_WAIT.toMillis()));
            }
            ConsumerRecords<String, String> records;
            try {
                records = consumer.poll(wait);
            } catch (TributaryException e) {
                if (stopping && TributaryException.INTERRUPTED.equals(e.code())) {
                    break;
                }
                throw e;
            }
            if (records.isEmpty()) {
                continue;
            }
            lastArrival = System.nanoTime();
            Map<TopicPartition, Long> done = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                if (max != null && printed >= max) {
                    break;
                }
                out.println(format(record));
                printed++;
                done.put(record.topicPartition(), record.offset() + 1);
            }
            out.flush();
            if (out.checkError()) {
                // stdout is gone (e.g. piped into head): what was not written must not be committed.
                break;
            }
            if (group != null) {
                consumer.commitSync(done);
            }
        }
        return printed;
    }

    private String format(ConsumerRecord<String, String> record) {
        StringBuilder line = new StringBuilder();
        if (printOffset) {
            line.append(record.partition()).append(':').append(record.offset()).append(separator);
        }
        if (printKey) {
            line.append(record.key()).append(separator);
        }
        return line.append(record.value()).toString();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down (Ctrl-C): the hook is running and waits for this thread to finish.
        }
    }
}
