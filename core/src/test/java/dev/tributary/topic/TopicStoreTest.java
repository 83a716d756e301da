package dev.tributary.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class TopicStoreTest {
    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static LogErrorCode codeOf(Executable e) {
        return assertThrows(LogException.class, e).code();
    }

    @Test
    void createGetAndDescribe() {
        TopicMetadata created = topics.create("acme", "orders", 3, Map.of("retention.ms", "1000", "cleanup.policy", "compact"));
        assertEquals("orders", created.name());
        assertEquals(3, created.partitions());
        assertEquals(TopicId.BYTES, created.id().toBytes().length);
        TopicMetadata read = topics.get("acme", "orders");
        assertEquals(created, read);
        assertEquals(created, topics.getById("acme", created.id()));
        assertEquals(1000, read.config().retentionMs());
        assertEquals(CleanupPolicy.COMPACT, read.config().cleanupPolicy());
        assertEquals(1048588, read.config().maxMessageBytes());
        assertEquals(Map.of("cleanup.policy", "compact", "retention.ms", "1000"), read.config().overrides());
        assertEquals("compact", read.config().effective().get("cleanup.policy"));
        assertEquals(TopicId.parse(created.id().toString()), created.id());
    }

    @Test
    void duplicateNamesAreRejected() {
        topics.create("acme", "orders", 1, Map.of());
        assertEquals(LogErrorCode.TOPIC_ALREADY_EXISTS, codeOf(() -> topics.create("acme", "orders", 2, Map.of())));
    }

    @Test
    void nameRules() {
        for (String ok : List.of("a", "A.b_c-9", "x".repeat(249), "..."))
            topics.create("acme", ok, 1, Map.of());
        for (String bad : List.of("", ".", "..", "x".repeat(250), "has space", "slash/", "ünï", "a:b")) {
            assertEquals(LogErrorCode.INVALID_TOPIC_NAME, codeOf(() -> topics.create("acme", bad, 1, Map.of())), bad);
        }
        assertEquals(LogErrorCode.INVALID_TOPIC_NAME, codeOf(() -> topics.create("acme", null, 1, Map.of())));
    }

    @Test
    void partitionCountAndConfigAreValidated() {
        assertEquals(LogErrorCode.INVALID_PARTITIONS, codeOf(() -> topics.create("acme", "t", 0, Map.of())));
        assertEquals(LogErrorCode.INVALID_PARTITIONS,
                codeOf(() -> topics.create("acme", "t", TopicStore.MAX_PARTITIONS + 1, Map.of())));
        assertEquals(LogErrorCode.INVALID_CONFIG, codeOf(() -> topics.create("acme", "t", 1, Map.of("nope", "1"))));
        assertEquals(LogErrorCode.INVALID_CONFIG, codeOf(() -> topics.create("acme", "t", 1, Map.of("retention.ms", "-2"))));
        assertEquals(LogErrorCode.INVALID_CONFIG, codeOf(() -> topics.create("acme", "t", 1, Map.of("retention.ms", "x"))));
        assertEquals(LogErrorCode.INVALID_CONFIG, codeOf(() -> topics.create("acme", "t", 1, Map.of("cleanup.policy", "both"))));
        assertEquals(LogErrorCode.INVALID_CONFIG,
                codeOf(() -> topics.create("acme", "t", 1, Map.of("max.message.bytes", "8388609"))));
        assertEquals(LogErrorCode.INVALID_CONFIG,
                codeOf(() -> topics.create("acme", "t", 1, Map.of("max.message.bytes", "63"))));
        assertEquals(LogErrorCode.INVALID_CONFIG,
                codeOf(() -> topics.create("acme", "t", 1, Map.of("min.compaction.lag.ms", "-1"))));
        assertTrue(topics.find("acme", "t").isEmpty(), "nothing written by a refused create");
    }

    @Test
    void listIsPagedInNameOrder() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            names.add(String.format("topic-%02d", i));
        }
        for (int i = names.size() - 1; i >= 0; i--) {
            topics.create("acme", names.get(i), 1, Map.of());
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            TopicPage page = topics.list("acme", after, 10);
            page.topics().forEach(t -> seen.add(t.name()));
            after = page.nextAfter();
            pages++;
        } while (after != null);
        assertEquals(names, seen);
        assertEquals(3, pages);
        TopicPage exact = topics.list("acme", "topic-14", 10);
        assertEquals(10, exact.topics().size());
        assertNull(exact.nextAfter());
        assertEquals(LogErrorCode.INVALID_REQUEST, codeOf(() -> topics.list("acme", null, 0)));
    }

    @Test
    void tenantsAreIsolated() {
        TopicMetadata a = topics.create("acme", "orders", 1, Map.of());
        TopicMetadata b = topics.create("globex", "orders", 2, Map.of());
        topics.create("globex", "payments", 1, Map.of());
        assertNotEquals(a.id(), b.id());
        assertEquals(List.of("orders"), topics.list("acme", null, 100).topics().stream().map(TopicMetadata::name).toList());
        assertEquals(List.of("orders", "payments"),
                topics.list("globex", null, 100).topics().stream().map(TopicMetadata::name).toList());
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, codeOf(() -> topics.getById("acme", b.id())));
        // Tenant ids that are prefixes of each other still get disjoint key ranges.
        topics.create("ac", "orders", 1, Map.of());
        byte[] acme = RootKeySpace.tenant("acme").pack();
        byte[] ac = RootKeySpace.tenant("ac").pack();
        List<KeyValue> acKeys = store.read(tx -> tx.getRangeStartsWith(ac).join());
        assertFalse(acKeys.isEmpty());
        for (KeyValue kv : acKeys) {
            assertFalse(startsWith(kv.key(), acme), Keys.printable(kv.key()));
        }
        assertEquals(1, topics.list("ac", null, 100).topics().size());
        topics.delete("acme", "orders");
        assertEquals(2, topics.list("globex", null, 100).topics().size());
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void addPartitionsOnlyGrows() {
        topics.create("acme", "orders", 2, Map.of());
        assertEquals(5, topics.addPartitions("acme", "orders", 5).partitions());
        assertEquals(5, topics.get("acme", "orders").partitions());
        assertEquals(LogErrorCode.INVALID_PARTITIONS, codeOf(() -> topics.addPartitions("acme", "orders", 5)));
        assertEquals(LogErrorCode.INVALID_PARTITIONS, codeOf(() -> topics.addPartitions("acme", "orders", 3)));
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, codeOf(() -> topics.addPartitions("acme", "missing", 3)));
    }

    @Test
    void updateConfigSetsAndResets() {
        topics.create("acme", "orders", 1, Map.of("retention.ms", "1000"));
        TopicMetadata updated = topics.updateConfig("acme", "orders", Map.of("retention.bytes", "5000"), Set.of("retention.ms"));
        assertEquals(Map.of("retention.bytes", "5000"), updated.config().overrides());
        assertEquals(604800000L, topics.get("acme", "orders").config().retentionMs());
        assertEquals(LogErrorCode.INVALID_CONFIG,
                codeOf(() -> topics.updateConfig("acme", "orders", Map.of("x", "1"), Set.of())));
        assertEquals(LogErrorCode.INVALID_CONFIG,
                codeOf(() -> topics.updateConfig("acme", "orders", Map.of(), Set.of("x"))));
    }

    @Test
    void deleteAndRecreateGetsANewId() {
        TopicMetadata first = topics.create("acme", "orders", 1, Map.of());
        assertEquals(first, topics.delete("acme", "orders"));
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, codeOf(() -> topics.get("acme", "orders")));
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, codeOf(() -> topics.getById("acme", first.id())));
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, codeOf(() -> topics.delete("acme", "orders")));
        TopicMetadata second = topics.create("acme", "orders", 1, Map.of());
        assertNotEquals(first.id(), second.id());
    }

    @Test
    void survivesRestart() {
        TopicMetadata created = topics.create("acme", "orders", 4, Map.of("retention.bytes", "1"));
        store.close();
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        assertEquals(created, topics.get("acme", "orders"));
    }
}
