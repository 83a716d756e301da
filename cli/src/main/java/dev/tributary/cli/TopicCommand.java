package dev.tributary.cli;

import static dev.tributary.cli.TributaryCli.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.TopicDescription;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary topic ...}: the admin client (REST control API) of one tenant. */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Create, list, describe, alter and delete topics.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
                TopicCommand.Alter.class, TopicCommand.AddPartitions.class, TopicCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class TopicCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a topic command is required: create, list, describe, alter, "
                + "add-partitions or delete");
    }

    /** What every topic subcommand has: its command line (output, usage errors) and the connection options. */
    abstract static class AdminCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ConnectionOptions connection;

        /** Connects, makes one admin call, waits for its answer and disconnects. */
        <T> T admin(Function<Admin, CompletableFuture<T>> call) {
            try (TributaryClient client = connection.connect()) {
                return await(call.apply(client.admin()));
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.", footer = ExitCodes.HELP_FOOTER)
    static final class Create extends AdminCommand {
        @Parameters(paramLabel = "NAME", description = "Topic name: letters, digits, '.', '_', '-'.")
        String name;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "1", description = "Partition count (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "A topic setting, e.g. retention.ms=86400000 (repeatable).")
        Map<String, String> config = new LinkedHashMap<>();

        @Option(names = "--if-not-exists", description = "Succeed without change if the topic exists already.")
        boolean ifNotExists;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                TopicDescription created = admin(a -> a.createTopic(new NewTopic(name, partitions, config)));
                out.println("created topic " + created.name() + " (" + plural(created.partitions(), "partition") + ")");
            } catch (TributaryException e) {
                if (!ifNotExists || !"TOPIC_ALREADY_EXISTS".equals(e.code())) {
                    throw e;
                }
                out.println("topic " + name + " exists already");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's topics by name, one per line.",
            footer = ExitCodes.HELP_FOOTER)
    static final class ListTopics extends AdminCommand {
        @Option(names = {"-l", "--long"}, description = "Also show partitions, creation time and the settings set on each topic.")
        boolean detailed;

        @Option(names = "--json", description = "Print a JSON array instead.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<TopicDescription> topics = admin(Admin::listTopics);
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                topics.forEach(t -> array.add(toJson(t)));
                out.println(JSON.writeValueAsString(array));
            } else if (detailed) {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"NAME", "PARTITIONS", "CREATED", "CONFIG"});
                for (TopicDescription t : topics) {
                    rows.add(new String[] {t.name(), Integer.toString(t.partitions()), String.valueOf(t.createdAt()),
                            settings(t.config())});
                }
                OutputOption.printTable(out, rows);
            } else {
                topics.forEach(t -> out.println(t.name()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a topic: id, partitions with their offsets, settings, and the etag for 'topic alter --if-match'.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Describe extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--all-config", description = "List every setting with the value in force, defaults included.")
        boolean allConfig;

        @Option(names = "--json", description = "Print JSON instead.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            TopicDescription t = admin(a -> a.describeTopic(name));
            if (json) {
                out.println(JSON.writeValueAsString(toJson(t)));
                return ExitCodes.OK;
            }
            out.println("name:        " + t.name());
            out.println("id:          " + t.id());
            out.println("partitions:  " + t.partitions());
            out.println("created:     " + t.createdAt());
            out.println("etag:        " + t.etag());
            Map<String, String> shown = allConfig ? t.effectiveConfig() : t.config();
            out.println((allConfig ? "config:" : "config set:") + (shown.isEmpty() ? "  (none: defaults)" : ""));
            shown.forEach((k, v) -> out.println("  " + k + "=" + v));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"PARTITION", "LOG-START", "HIGH-WATERMARK", "RECORDS"});
            for (TopicDescription.PartitionOffsets p : t.partitionOffsets()) {
                rows.add(new String[] {Integer.toString(p.partition()), Long.toString(p.logStartOffset()),
                        Long.toString(p.highWatermark()), Long.toString(p.highWatermark() - p.logStartOffset())});
            }
            OutputOption.printTable(out, rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "alter", mixinStandardHelpOptions = true, description = "Set or reset settings of a topic.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Alter extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Set a setting (repeatable).")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(names = "--delete-config", paramLabel = "KEY", description = "Return a setting to its default (repeatable).")
        List<String> reset = new ArrayList<>();

        @Option(names = "--if-match", paramLabel = "ETAG",
                description = "Apply only if the topic is unchanged since 'topic describe' showed this etag.")
        String ifMatch;

        @Override
        public Integer call() {
            if (set.isEmpty() && reset.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "nothing to change: give --config KEY=VALUE and/or --delete-config KEY");
            }
            PrintWriter out = spec.commandLine().getOut();
            TopicDescription t = admin(a -> a.updateTopicConfig(name, set, reset, ifMatch));
            out.println("altered topic " + t.name() + "; settings now set: " + (t.config().isEmpty() ? "none" : settings(t.config())));
            return ExitCodes.OK;
        }
    }

    @Command(name = "add-partitions", mixinStandardHelpOptions = true, description = "Raise a topic's partition count.",
            footer = ExitCodes.HELP_FOOTER)
    static final class AddPartitions extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--partitions", paramLabel = "N", required = true,
                description = "The new total partition count (more than now: partitions are never removed).")
        int partitions;

        @Override
        public Integer call() {
            TopicDescription t = admin(a -> a.addPartitions(name, partitions));
            spec.commandLine().getOut().println("topic " + t.name() + " now has " + plural(t.partitions(), "partition"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete topics and all their records.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends AdminCommand {
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Option(names = "--if-exists", description = "Succeed for topics that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (TributaryClient client = connection.connect()) {
                Admin admin = client.admin();
                // One at a time, in the given order: a failure stops here and names the topic it failed on.
                for (String name : names) {
                    try {
                        await(admin.deleteTopic(name));
                        out.println("deleted topic " + name);
                    } catch (TributaryException e) {
                        if (!ifExists || !"UNKNOWN_TOPIC".equals(e.code())) {
                            throw e;
                        }
                        out.println("topic " + name + " does not exist");
                    }
                }
            }
            return ExitCodes.OK;
        }
    }

    private static ObjectNode toJson(TopicDescription t) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", t.name());
        node.put("id", t.id());
        node.put("partitions", t.partitions());
        node.put("createdAt", t.createdAt() == null ? null : t.createdAt().toString());
        ObjectNode config = node.putObject("config");
        t.config().forEach(config::put);
        ObjectNode effective = node.putObject("effectiveConfig");
        t.effectiveConfig().forEach(effective::put);
        if (!t.partitionOffsets().isEmpty()) {
            ArrayNode offsets = node.putArray("partitionOffsets");
            for (TopicDescription.PartitionOffsets p : t.partitionOffsets()) {
                offsets.addObject().put("partition", p.partition()).put("logStartOffset", p.logStartOffset())
                        .put("highWatermark", p.highWatermark());
            }
        }
        if (t.etag() != null) {
            node.put("etag", t.etag());
        }
        return node;
    }

    private static String settings(Map<String, String> config) {
        StringBuilder s = new StringBuilder();
        config.forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
