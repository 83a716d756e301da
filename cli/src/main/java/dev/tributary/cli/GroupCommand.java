package dev.tributary.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.ConsumerGroupDescription;
import dev.tributary.client.admin.ConsumerGroupListing;
import dev.tributary.client.admin.GroupOffset;
import dev.tributary.client.admin.OffsetReset;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary group ...}: the consumer groups of a tenant. */
@Command(name = "group", mixinStandardHelpOptions = true,
        description = {"List, describe, reset the offsets of and delete a tenant's consumer groups.",
                "Tenant administrators, and principals with the ACLs on the groups."},
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupCommand.ResetOffsets.class,
                GroupCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a group command is required: list, describe, reset-offsets or delete");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's consumer groups.",
            footer = ExitCodes.HELP_FOOTER)
    static final class ListGroups extends AdminCall {
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<ConsumerGroupListing> groups = admin(Admin::listGroups);
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                for (ConsumerGroupListing g : groups) {
                    array.addObject().put("groupId", g.groupId()).put("state", g.state()).put("members", g.members());
                }
                OutputOption.printJson(out(), array);
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"GROUP", "STATE", "MEMBERS"});
            groups.forEach(g -> rows.add(new String[] {g.groupId(), AdminCall.orNone(g.state()), Integer.toString(g.members())}));
            OutputOption.printTable(out(), rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a group: members with their partitions, and committed offset, log end and lag per partition.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Describe extends AdminCall {
        @Parameters(paramLabel = "GROUP")
        String group;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            ConsumerGroupDescription g = admin(a -> a.describeGroup(group));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(g));
                return ExitCodes.OK;
            }
            PrintWriter out = out();
            out.println("group:       " + g.groupId());
            out.println("state:       " + AdminCall.orNone(g.state()));
            out.println("generation:  " + g.generation());
            if (g.members().isEmpty()) {
                out.println("members:     none");
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"MEMBER", "CLIENT-ID", "PARTITIONS"});
                for (ConsumerGroupDescription.Member m : g.members()) {
                    rows.add(new String[] {m.memberId(), AdminCall.orNone(m.clientId()),
                            m.assignments().isEmpty() ? "-" : m.assignments().stream().sorted().map(TopicPartition::toString)
                                    .collect(Collectors.joining(","))});
                }
                OutputOption.printTable(out, rows);
            }
            printOffsets(out, g.offsets());
            return ExitCodes.OK;
        }
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
            description = {"Move the committed offsets of a group without members (else GROUP_NOT_EMPTY).",
                    "For the topics given with --topic, or every topic the group has offsets for."},
            footer = {"%nExamples:", "  bin/tributary group reset-offsets billing --to-earliest",
                    "  bin/tributary group reset-offsets billing --to-datetime 2026-01-31T00:00:00Z --topic orders",
                    ExitCodes.HELP_FOOTER})
    static final class ResetOffsets extends AdminCall {
        @Parameters(paramLabel = "GROUP")
        String group;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--to-earliest", required = true, description = "The earliest retained record.")
            boolean earliest;
            @Option(names = "--to-latest", required = true, description = "The log end: skip everything up to now.")
            boolean latest;
            @Option(names = "--to-timestamp", required = true, paramLabel = "MS",
                    description = "The first record at or after MS milliseconds since the epoch.")
            Long timestampMs;
            @Option(names = "--to-datetime", required = true, paramLabel = "ISO-8601",
                    description = "The first record at or after this instant, e.g. 2026-01-31T00:00:00Z.")
            String datetime;
        }

        @Option(names = "--topic", paramLabel = "TOPIC", description = "Reset this topic only (repeatable).")
        List<String> topics = new ArrayList<>();

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            OffsetReset reset;
            if (target.earliest) {
                reset = OffsetReset.toEarliest();
            } else if (target.latest) {
                reset = OffsetReset.toLatest();
            } else if (target.timestampMs != null) {
                reset = OffsetReset.toTimestamp(target.timestampMs);
            } else {
                try {
                    reset = OffsetReset.toTimestamp(Instant.parse(target.datetime).toEpochMilli());
                } catch (DateTimeParseException e) {
                    throw new ParameterException(spec.commandLine(), "--to-datetime takes an ISO-8601 instant such as "
                            + "2026-01-31T00:00:00Z, not '" + target.datetime + "'");
                }
            }
            OffsetReset request = reset.forTopics(topics);
            List<GroupOffset> offsets = admin(a -> a.resetOffsets(group, request));
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                offsets.forEach(o -> array.add(toJson(o)));
                OutputOption.printJson(out(), array);
                return ExitCodes.OK;
            }
            out().println("reset the offsets of group " + group + " to " + describe(request));
            printOffsets(out(), offsets);
            return ExitCodes.OK;
        }

        private static String describe(OffsetReset r) {
            String where = r.to().equals(OffsetReset.TIMESTAMP) ? Instant.ofEpochMilli(r.timestampMs()).toString() : r.to();
            return where + (r.topics().isEmpty() ? "" : " for " + String.join(", ", r.topics()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete groups without members, with their committed offsets.", footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends AdminCall {
        @Parameters(paramLabel = "GROUP", arity = "1..*")
        List<String> groups;

        @Option(names = "--if-exists", description = "Succeed for groups that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            deleteEach(groups, "group", ifExists, "GROUP_NOT_FOUND", Admin::deleteGroup);
            return ExitCodes.OK;
        }
    }

    private static void printOffsets(PrintWriter out, List<GroupOffset> offsets) {
        if (offsets.isEmpty()) {
            out.println("offsets:     none committed");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG"});
        for (GroupOffset o : offsets) {
            rows.add(new String[] {o.topic(), Integer.toString(o.partition()), known(o.committedOffset()), known(o.logEndOffset()),
                    known(o.lag())});
        }
        OutputOption.printTable(out, rows);
    }

    private static String known(long value) {
        return value < 0 ? "-" : Long.toString(value);
    }

    static ObjectNode toJson(ConsumerGroupDescription g) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        node.put("groupId", g.groupId());
        node.put("state", g.state());
        node.put("generation", g.generation());
        ArrayNode members = node.putArray("members");
        for (ConsumerGroupDescription.Member m : g.members()) {
            ObjectNode member = members.addObject().put("memberId", m.memberId()).put("clientId", m.clientId());
            ArrayNode assignments = member.putArray("assignments");
            m.assignments().forEach(tp -> assignments.addObject().put("topic", tp.topic()).put("partition", tp.partition()));
        }
        ArrayNode offsets = node.putArray("offsets");
        g.offsets().forEach(o -> offsets.add(toJson(o)));
        return node;
    }

    static ObjectNode toJson(GroupOffset o) {
        return OutputOption.JSON.createObjectNode().put("topic", o.topic()).put("partition", o.partition())
                .put("committedOffset", o.committedOffset()).put("logEndOffset", o.logEndOffset()).put("lag", o.lag());
    }
}
