package dev.tributary.cli;

import static dev.tributary.cli.TributaryCli.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.QuotaLimits;
import dev.tributary.client.admin.QuotaUsage;
import dev.tributary.client.admin.TenantQuota;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tributary quota ...}: a tenant's quota; platform administrators set it, the tenant's administrators may read it. */
@Command(name = "quota", mixinStandardHelpOptions = true,
        description = {"Show, set and reset a tenant's quota.",
                "Platform administrators set and reset it, naming the tenant:",
                "  --tenant acme --profile data/platform-admin.properties",
                "The tenant's administrators may read it."},
        subcommands = {QuotaCommand.Get.class, QuotaCommand.Set.class, QuotaCommand.Reset.class},
        footer = ExitCodes.HELP_FOOTER)
final class QuotaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a quota command is required: get, set or reset");
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show the limits in force and the tenant's use.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Get extends AdminCall {
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            print(out(), admin(Admin::describeQuota), output);
            return ExitCodes.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Set limits; N is a whole number, or 'unlimited'.",
                    "The limits not named keep the values in force (stored with the tenant from then on), unless --replace.",
                    "The change applies only if nobody changed the limits since they were read (else PRECONDITION_FAILED)."},
            footer = {"%nExample:", "  bin/tributary quota set --tenant acme --topics 100 --produce-bytes-per-second 10485760 \\",
                    "      --profile data/platform-admin.properties", ExitCodes.HELP_FOOTER})
    static final class Set extends AdminCall {
        @Option(names = "--produce-bytes-per-second", paramLabel = "N", description = "Bytes per second the tenant may produce.")
        String produceBytesPerSecond;
        @Option(names = "--fetch-bytes-per-second", paramLabel = "N", description = "Bytes per second the tenant may fetch.")
        String fetchBytesPerSecond;
        @Option(names = "--requests-per-second", paramLabel = "N", description = "Requests per second.")
        String requestsPerSecond;
        @Option(names = "--storage-bytes", paramLabel = "N", description = "Bytes the tenant's logs may hold.")
        String storageBytes;
        @Option(names = "--topics", paramLabel = "N", description = "Topics the tenant may have.")
        String topics;
        @Option(names = "--partitions", paramLabel = "N", description = "Partitions over all the tenant's topics.")
        String partitions;
        @Option(names = "--connections", paramLabel = "N", description = "Concurrent connections and streams.")
        String connections;

        @Option(names = "--replace", description = "Make every limit not named here unlimited.")
        boolean replace;

        @Option(names = "--if-match", paramLabel = "ETAG",
                description = "Apply only if the limits are unchanged since 'quota get' showed this etag.")
        String ifMatch;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            if (produceBytesPerSecond == null && fetchBytesPerSecond == null && requestsPerSecond == null && storageBytes == null
                    && topics == null && partitions == null && connections == null) {
                throw new ParameterException(spec.commandLine(), "nothing to set: give at least one limit, e.g. --topics 100");
            }
            // Parsed before connecting: a bad value sends nothing.
            Limit produce = limit("--produce-bytes-per-second", produceBytesPerSecond);
            Limit fetch = limit("--fetch-bytes-per-second", fetchBytesPerSecond);
            Limit requests = limit("--requests-per-second", requestsPerSecond);
            Limit storage = limit("--storage-bytes", storageBytes);
            Limit topicCount = limit("--topics", topics);
            Limit partitionCount = limit("--partitions", partitions);
            Limit connectionCount = limit("--connections", connections);
            try (TributaryClient client = connection.connect()) {
                Admin admin = client.admin();
                QuotaLimits base = QuotaLimits.UNLIMITED;
                String expected = ifMatch;
                if (!replace) {
                    // Read-modify-write: the PUT replaces every limit, so the others are carried over, guarded by the etag read.
                    TenantQuota current = await(admin.describeQuota());
                    base = current.limits();
                    expected = ifMatch != null ? ifMatch : current.etag();
                }
                QuotaLimits limits = base;
                limits = produce.given ? limits.withProduceBytesPerSecond(produce.value) : limits;
                limits = fetch.given ? limits.withFetchBytesPerSecond(fetch.value) : limits;
                limits = requests.given ? limits.withRequestsPerSecond(requests.value) : limits;
                limits = storage.given ? limits.withStorageBytes(storage.value) : limits;
                limits = topicCount.given ? limits.withTopics(topicCount.value) : limits;
                limits = partitionCount.given ? limits.withPartitions(partitionCount.value) : limits;
                limits = connectionCount.given ? limits.withConnections(connectionCount.value) : limits;
                TenantQuota updated = await(admin.setQuota(limits, expected));
                if (!output.json()) {
                    out().println("quota of tenant " + await(admin.tenant()) + " set");
                }
                print(out(), updated, output);
            }
            return ExitCodes.OK;
        }

        /** An option's value: not given, a number, or unlimited (null). */
        private record Limit(boolean given, Long value) {}

        private Limit limit(String option, String text) {
            if (text == null) {
                return new Limit(false, null);
            }
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("unlimited") || t.equals("none")) {
                return new Limit(true, null);
            }
            try {
                return new Limit(true, Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), option + " takes a whole number or 'unlimited', not '" + text + "'");
            }
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true, description = "Return the tenant to the configured default limits.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Reset extends AdminCall {
        @Override
        public Integer call() {
            try (TributaryClient client = connection.connect()) {
                await(client.admin().resetQuota());
                out().println("quota of tenant " + await(client.admin().tenant()) + " reset to the defaults");
            }
            return ExitCodes.OK;
        }
    }

    private static void print(PrintWriter out, TenantQuota q, OutputOption output) {
        if (output.json()) {
            OutputOption.printJson(out, toJson(q));
            return;
        }
        QuotaLimits l = q.limits();
        QuotaUsage u = q.usage();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"LIMIT", "VALUE", "USED"});
        rows.add(new String[] {"produce-bytes-per-second", value(l.produceBytesPerSecond()), rate(u.produceBytesPerSecond())});
        rows.add(new String[] {"fetch-bytes-per-second", value(l.fetchBytesPerSecond()), rate(u.fetchBytesPerSecond())});
        rows.add(new String[] {"requests-per-second", value(l.requestsPerSecond()), rate(u.requestsPerSecond())});
        rows.add(new String[] {"storage-bytes", value(l.storageBytes()), Long.toString(u.storageBytes())});
        rows.add(new String[] {"topics", value(l.topics()), Long.toString(u.topics())});
        rows.add(new String[] {"partitions", value(l.partitions()), Long.toString(u.partitions())});
        rows.add(new String[] {"connections", value(l.connections()), Long.toString(u.connections())});
        OutputOption.printTable(out, rows);
        if (q.etag() != null) {
            out.println("etag: " + q.etag());
        }
    }

    private static String value(Long limit) {
        return limit == null ? "unlimited" : limit.toString();
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }

    static ObjectNode toJson(TenantQuota q) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        ObjectNode limits = node.putObject("limits");
        QuotaLimits l = q.limits();
        limits.put("produceBytesPerSecond", l.produceBytesPerSecond());
        limits.put("fetchBytesPerSecond", l.fetchBytesPerSecond());
        limits.put("requestsPerSecond", l.requestsPerSecond());
        limits.put("storageBytes", l.storageBytes());
        limits.put("topics", l.topics());
        limits.put("partitions", l.partitions());
        limits.put("connections", l.connections());
        ObjectNode usage = node.putObject("usage");
        QuotaUsage u = q.usage();
        usage.put("topics", u.topics());
        usage.put("partitions", u.partitions());
        usage.put("storageBytes", u.storageBytes());
        usage.put("connections", u.connections());
        usage.put("produceBytesPerSecond", u.produceBytesPerSecond());
        usage.put("fetchBytesPerSecond", u.fetchBytesPerSecond());
        usage.put("requestsPerSecond", u.requestsPerSecond());
        if (q.etag() != null) {
            node.put("etag", q.etag());
        }
        return node;
    }
}
