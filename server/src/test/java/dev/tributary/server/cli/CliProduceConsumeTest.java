package dev.tributary.server.cli;

import static dev.tributary.server.cli.CliRunner.run;
import static dev.tributary.server.cli.CliRunner.runWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.server.cli.CliRunner.Result;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/tributary produce} and {@code consume} in-process against the real server: lines in,
 * the same values out, with and without a consumer group.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliProduceConsumeTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    private CliRunner cli;
    private String profile;

    @BeforeEach
    void connect() throws Exception {
        cli = CliRunner.connect(root, config.dataDir());
        profile = cli.profileFor(cli.newTenant("cli"), "tenant-admin").toString();
    }

    @AfterEach
    void removeProfiles() throws Exception {
        if (cli != null) {
            cli.deleteProfiles();
        }
    }

    private static void assertOk(Result r) {
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void producedLinesAreConsumedFromTheBeginning() {
        assertOk(run("topic", "create", "events", "--partitions", "1", "--profile", profile));

        Result produced = runWithStdin("first\nsecond\n\nfourth has spaces\n", "produce", "events", "--profile", profile);
        assertOk(produced);
        assertEquals("", produced.out());
        assertEquals("produced 4 of 4 records to events (partition 0: offsets 0-3)\n", produced.err());

        Result all = run("consume", "events", "--from-beginning", "--max", "4", "--profile", profile);
        assertOk(all);
        assertEquals("first\nsecond\n\nfourth has spaces\n", all.out(), "every line, the empty one too, in order");
        assertEquals("consumed 4 records from events\n", all.err());

        Result two = run("consume", "events", "--from-beginning", "--max", "2", "--print-offset", "--profile", profile);
        assertOk(two);
        assertEquals("0:0\tfirst\n0:1\tsecond\n", two.out(), "exactly --max records");

        // Without --max, --timeout-ms ends it once nothing more arrives.
        long start = System.nanoTime();
        Result idle = run("consume", "events", "--from-beginning", "--timeout-ms", "1500", "--profile", profile);
        assertOk(idle);
        assertEquals(4, idle.out().lines().count(), idle.toString());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 30, "ended by the idle timeout");

        // Without --from-beginning only new records are read: none arrive, so nothing is printed.
        Result fromEnd = run("consume", "events", "--timeout-ms", "1000", "--profile", profile);
        assertOk(fromEnd);
        assertEquals("", fromEnd.out());
        assertEquals("consumed 0 records from events\n", fromEnd.err());
    }

    @Test
    void groupCommitsWhatItPrinted() {
        assertOk(run("topic", "create", "jobs", "--partitions", "1", "--profile", profile));
        assertOk(runWithStdin("a\nb\nc\n", "produce", "jobs", "--profile", profile));

        Result first = run("consume", "jobs", "--group", "workers", "--from-beginning", "--max", "2", "--profile", profile);
        assertOk(first);
        assertEquals("a\nb\n", first.out());
        // The group resumes after what it printed (--from-beginning only applies where nothing was committed).
        Result second = run("consume", "jobs", "--group", "workers", "--from-beginning", "--max", "1", "--timeout-ms", "20000",
                "--profile", profile);
        assertOk(second);
        assertEquals("c\n", second.out());
        Result drained = run("consume", "jobs", "--group", "workers", "--timeout-ms", "2000", "--profile", profile);
        assertOk(drained);
        assertEquals("", drained.out());
        // Another group starts on its own.
        assertEquals("a\nb\nc\n", run("consume", "jobs", "--group", "auditors", "--from-beginning", "--max", "3", "--profile",
                profile).out());
    }

    @Test
    void keysChoosePartitionsAndArePrinted() {
        assertOk(run("topic", "create", "keyed", "--partitions", "3", "--profile", profile));
        String input = "k1:v1\nk2:v2\nk1:v3\nno-key\nk3:with:colons\n";
        Result produced = runWithStdin(input, "produce", "keyed", "--key-separator", ":", "--profile", profile);
        assertOk(produced);
        assertTrue(produced.err().startsWith("produced 5 of 5 records to keyed ("), produced.toString());

        Result consumed = run("consume", "keyed", "--from-beginning", "--max", "5", "--print-key", "--print-offset", "--key-separator",
                ":", "--profile", profile);
        assertOk(consumed);
        List<String> lines = consumed.out().lines().toList();
        assertEquals(5, lines.size(), consumed.toString());
        // PARTITION:OFFSET:KEY:VALUE; partitions interleave, so compare without the position.
        Set<String> records = lines.stream().map(l -> l.split(":", 3)[2]).collect(Collectors.toSet());
        assertEquals(Set.of("k1:v1", "k2:v2", "k1:v3", "null:no-key", "k3:with:colons"), records);
        Map<String, Set<String>> partitionsByKey = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(":", 4);
            partitionsByKey.computeIfAbsent(f[2], k -> new java.util.HashSet<>()).add(f[0]);
        }
        assertEquals(1, partitionsByKey.get("k1").size(), "one key, one partition: " + lines);

        // --partition reads just that one.
        String k1Partition = partitionsByKey.get("k1").iterator().next();
        Result one = run("consume", "keyed", "--partition", k1Partition, "--from-beginning", "--timeout-ms", "1500", "--print-key",
                "--profile", profile);
        assertOk(one);
        assertTrue(one.out().lines().toList().containsAll(List.of("k1\tv1", "k1\tv3")), one.toString());
    }

    @Test
    void producingToAMissingTopicFails() {
        Result r = runWithStdin("lost\n", "produce", "no-such-topic", "-P", "delivery.timeout.ms=10000", "-P", "max.block.ms=10000",
                "--profile", profile);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("produced 0 of 1 record to no-such-topic; 1 failed"), r.toString());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("error: UNKNOWN_TOPIC: ")), r.toString());

        Result consume = run("consume", "no-such-topic", "--timeout-ms", "1000", "--profile", profile);
        assertEquals(1, consume.exitCode(), consume.toString());
        assertTrue(consume.err().startsWith("error: UNKNOWN_TOPIC: "), consume.toString());
    }
}
