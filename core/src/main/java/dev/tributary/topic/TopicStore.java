package dev.tributary.topic;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.LogKeySpace;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Topics of a tenant: create, read, list, delete, grow, configure. Each operation is one storage
 * transaction.
 *
 * <p>Metadata value ({@code T + ("ti", topicId)}), tuple-packed: {@code (1, name, partitions,
 * createdAtMillis, (key1, value1, key2, value2, ...))} where 1 is the value's format version and
 * the nested tuple holds the configuration overrides in key order.
 *
 * <p>Deleting a topic removes its name, its metadata and its whole log ({@code T + ("l", topicId)})
 * in one transaction: a range clear costs the same however much data it covers (FoundationDB's
 * range clear, RocksDB's DeleteRange), so no background clean-up is needed. Because data keys use
 * the topic id, a topic created again under the same name never sees the old data.
 *
 * <p>Counts ({@code T + ("tc")}, tuple {@code (1, topics, partitions)}): every create, partition
 * increase and delete reads the tenant's counts (with conflict) and writes them back changed, in
 * the transaction that makes the change; a create or increase first hands the counts before and
 * after it to the {@link CountGuard} (the count quotas), which may refuse it. Two concurrent changes of one tenant therefore conflict and
 * run one after the other, so no race can take the counts past what the guard allows. A tenant
 * whose counts key is absent (written before it existed) is counted from its name index once, in
 * the first such transaction.
 */
public final class TopicStore {
    /** Topic names: ASCII letters, digits, '.', '_', '-', 1 to 249 characters, not "." or ".." (Kafka's rule). */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    /** Partitions per topic. Partition state is created lazily, so this bounds metadata, not keys written. */
    public static final int MAX_PARTITIONS = 10_000;
    /** Most topics per list page. */
    public static final int MAX_PAGE_SIZE = 1_000;

    private static final long METADATA_FORMAT = 1;

    private static final long COUNTS_FORMAT = 1;

    /**
     * Checks a change of a tenant's topic or partition count inside the transaction that makes it,
     * and throws to refuse it (nothing is written then). It may read with conflict in {@code tx}
     * (e.g. the tenant's quota), so that a concurrent change of what it read aborts the change.
     */
    @FunctionalInterface
    public interface CountGuard {
        /** Allows everything. */
        CountGuard NONE = (tx, tenant, before, after) -> {};

        void check(ReadTransaction tx, String tenant, TopicCounts before, TopicCounts after);
    }

    private final KeyValueStore store;
    private final CountGuard guard;

    public TopicStore(KeyValueStore store) {
        this(store, CountGuard.NONE);
    }

    /** @param guard checks every increase of a tenant's topic or partition count (the count quotas) */
    public TopicStore(KeyValueStore store, CountGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    public static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new LogException(LogErrorCode.INVALID_TOPIC_NAME, "invalid topic name '" + name
                    + "': 1 to 249 of [a-zA-Z0-9._-], and not '.' or '..'");
        }
    }

    private static void validatePartitions(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new LogException(LogErrorCode.INVALID_PARTITIONS,
                    "partition count must be in [1, " + MAX_PARTITIONS + "], not " + partitions);
        }
    }

    public TopicMetadata create(String tenant, String name, int partitions, Map<String, String> config) {
        validateName(name);
        validatePartitions(partitions);
        TopicConfig topicConfig = TopicConfig.of(config);
        byte[] nameKey = LogKeySpace.topicName(tenant, name);
        return store.run(tx -> {
            if (tx.get(nameKey).join() != null) {
                throw new LogException(LogErrorCode.TOPIC_ALREADY_EXISTS,
                        "topic '" + name + "' already exists in tenant '" + tenant + "'");
            }
            TopicCounts before = readCounts(tx, tenant);
            TopicCounts after = before.plus(1, partitions);
            guard.check(tx, tenant, before, after);
            TopicMetadata topic = new TopicMetadata(TopicId.random(), name, partitions, topicConfig, System.currentTimeMillis());
            tx.set(nameKey, topic.id().toBytes());
            writeMetadata(tx, tenant, topic);
            writeCounts(tx, tenant, after);
            return topic;
        });
    }

    public Optional<TopicMetadata> find(String tenant, String name) {
        validateName(name);
        return Optional.ofNullable(store.read(tx -> readByName(tx, tenant, name)));
    }

    /** The topic named {@code name}; UNKNOWN_TOPIC if there is none. */
    public TopicMetadata get(String tenant, String name) {
        return find(tenant, name).orElseThrow(() -> unknown(tenant, name));
    }

    /** The topic with id {@code id}; UNKNOWN_TOPIC if there is none (e.g. it was deleted). */
    public TopicMetadata getById(String tenant, TopicId id) {
        TopicMetadata topic = store.read(tx -> readById(tx, tenant, id));
        if (topic == null) {
            throw new LogException(LogErrorCode.UNKNOWN_TOPIC, "no topic with id " + id + " in tenant '" + tenant + "'");
        }
        return topic;
    }

    /**
     * Up to {@code limit} topics in name order, starting after {@code afterName} (null for the
     * first page). One range read on the name index plus one point read per topic, issued together.
     */
    public TopicPage list(String tenant, String afterName, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new LogException(LogErrorCode.INVALID_REQUEST, "page size must be in [1, " + MAX_PAGE_SIZE + "], not " + limit);
        }
        Subspace names = LogKeySpace.topicNames(tenant);
        byte[] begin = afterName == null ? names.range().begin : Keys.keyAfter(names.pack(afterName));
        byte[] end = names.range().end;
        return store.read(tx -> {
            List<KeyValue> entries = tx.getRange(begin, end, limit + 1, false).join();
            List<CompletableFuture<byte[]>> reads = new ArrayList<>();
            int n = Math.min(limit, entries.size());
            for (int i = 0; i < n; i++) {
                reads.add(tx.get(LogKeySpace.topicMetadata(tenant, entries.get(i).value())));
            }
            List<TopicMetadata> topics = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] value = reads.get(i).join();
                if (value == null) {
                    throw new IllegalStateException("topic name index entry without metadata: "
                            + Keys.printable(entries.get(i).key()));
                }
                topics.add(decode(TopicId.of(entries.get(i).value()), value));
            }
            String next = entries.size() > limit ? topics.get(n - 1).name() : null;
            return new TopicPage(topics, next);
        });
    }

    /** Deletes the topic and all its data in one transaction; returns what was deleted. */
    public TopicMetadata delete(String tenant, String name) {
        validateName(name);
        return store.run(tx -> {
            TopicMetadata topic = readByName(tx, tenant, name);
            if (topic == null) {
                throw unknown(tenant, name);
            }
            // Counted before the clears: a tenant without a counts key is counted from its name index.
            TopicCounts before = readCounts(tx, tenant);
            writeCounts(tx, tenant, before.plus(-1, -topic.partitions()));
            byte[] id = topic.id().toBytes();
            tx.clear(LogKeySpace.topicName(tenant, name));
            tx.clear(LogKeySpace.topicMetadata(tenant, id));
            Subspace log = LogKeySpace.topicLog(tenant, id);
            tx.clearRange(log.range().begin, log.range().end);
            return topic;
        });
    }

    /** Grows the topic to {@code partitions}; INVALID_PARTITIONS unless it is more than today. */
    public TopicMetadata addPartitions(String tenant, String name, int partitions) {
        validateName(name);
        validatePartitions(partitions);
        return store.run(tx -> {
            TopicMetadata topic = readByName(tx, tenant, name);
            if (topic == null) {
                throw unknown(tenant, name);
            }
            if (partitions <= topic.partitions()) {
                throw new LogException(LogErrorCode.INVALID_PARTITIONS, "topic '" + name + "' has " + topic.partitions()
                        + " partitions; partitions can only be added, so the new count must be above that, not " + partitions);
            }
            TopicCounts before = readCounts(tx, tenant);
            TopicCounts after = before.plus(0, partitions - topic.partitions());
            guard.check(tx, tenant, before, after);
            TopicMetadata grown = new TopicMetadata(topic.id(), name, partitions, topic.config(), topic.createdAtMillis());
            writeMetadata(tx, tenant, grown);
            writeCounts(tx, tenant, after);
            return grown;
        });
    }

    /** Sets the keys in {@code set} and returns those in {@code reset} to their defaults. */
    public TopicMetadata updateConfig(String tenant, String name, Map<String, String> set, Collection<String> reset) {
        return updateConfig(tenant, name, set, reset, current -> {});
    }

    /**
     * {@link #updateConfig(String, String, Map, Collection)} that first hands the current metadata,
     * inside the same transaction, to {@code precondition}, which may throw to refuse the change
     * (optimistic concurrency: "only if it is still what I read"); nothing is written then.
     */
    public TopicMetadata updateConfig(String tenant, String name, Map<String, String> set, Collection<String> reset,
            java.util.function.Consumer<TopicMetadata> precondition) {
        validateName(name);
        TopicConfig.DEFAULT.with(set, reset); // validate before touching the store
        return store.run(tx -> {
            TopicMetadata topic = readByName(tx, tenant, name);
            if (topic == null) {
                throw unknown(tenant, name);
            }
            precondition.accept(topic);
            TopicMetadata updated = new TopicMetadata(topic.id(), name, topic.partitions(),
                    topic.config().with(set, reset), topic.createdAtMillis());
            writeMetadata(tx, tenant, updated);
            return updated;
        });
    }

    /** The tenant's topic and partition counts. */
    public TopicCounts counts(String tenant) {
        return store.read(tx -> readCounts(tx, tenant));
    }

    /**
     * The tenant's counts inside a caller's transaction (adds a read conflict on the counts key).
     * If the key is absent (a store written before counts existed), counts the name index and the
     * topics' partitions instead: one range read and a point read per topic.
     */
    public static TopicCounts readCounts(ReadTransaction tx, String tenant) {
        byte[] value = tx.get(LogKeySpace.topicCounts(tenant)).join();
        if (value != null) {
            Tuple t = Tuple.fromBytes(value);
            long format = t.getLong(0);
            if (format != COUNTS_FORMAT) {
                throw new IllegalStateException("topic counts of format " + format + " (this version reads " + COUNTS_FORMAT + ")");
            }
            return new TopicCounts(t.getLong(1), t.getLong(2));
        }
        Subspace names = LogKeySpace.topicNames(tenant);
        List<KeyValue> entries = tx.getRange(names.range().begin, names.range().end).join();
        List<CompletableFuture<byte[]>> reads = new ArrayList<>(entries.size());
        for (KeyValue e : entries) {
            reads.add(tx.get(LogKeySpace.topicMetadata(tenant, e.value())));
        }
        long partitions = 0;
        for (int i = 0; i < entries.size(); i++) {
            byte[] metadata = reads.get(i).join();
            if (metadata != null) {
                partitions += decode(TopicId.of(entries.get(i).value()), metadata).partitions();
            }
        }
        return new TopicCounts(entries.size(), partitions);
    }

    private static void writeCounts(Transaction tx, String tenant, TopicCounts counts) {
        tx.set(LogKeySpace.topicCounts(tenant), Tuple.from(COUNTS_FORMAT, counts.topics(), counts.partitions()).pack());
    }

    /** Reads a topic by id inside a caller's transaction (adds a read conflict); null if absent. */
    public static TopicMetadata readById(ReadTransaction tx, String tenant, TopicId id) {
        byte[] value = tx.get(LogKeySpace.topicMetadata(tenant, id.unsafeBytes())).join();
        return value == null ? null : decode(id, value);
    }

    /** Reads a topic by name inside a caller's transaction; null if absent. */
    public static TopicMetadata readByName(ReadTransaction tx, String tenant, String name) {
        byte[] id = tx.get(LogKeySpace.topicName(tenant, name)).join();
        if (id == null) {
            return null;
        }
        TopicMetadata topic = readById(tx, tenant, TopicId.of(id));
        if (topic == null) {
            throw new IllegalStateException("topic '" + name + "' has a name entry but no metadata");
        }
        return topic;
    }

    private static void writeMetadata(Transaction tx, String tenant, TopicMetadata topic) {
        tx.set(LogKeySpace.topicMetadata(tenant, topic.id().unsafeBytes()), encode(topic));
    }

    static byte[] encode(TopicMetadata topic) {
        List<Object> config = new ArrayList<>();
        topic.config().overrides().forEach((k, v) -> {
            config.add(k);
            config.add(v);
        });
        return Tuple.from(METADATA_FORMAT, topic.name(), (long) topic.partitions(), topic.createdAtMillis(),
                Tuple.fromList(config)).pack();
    }

    static TopicMetadata decode(TopicId id, byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        long format = t.getLong(0);
        if (format != METADATA_FORMAT) {
            throw new IllegalStateException("topic metadata of format " + format + " (this version reads " + METADATA_FORMAT + ")");
        }
        Tuple configTuple = t.getNestedTuple(4);
        Map<String, String> overrides = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < configTuple.size(); i += 2) {
            overrides.put(configTuple.getString(i), configTuple.getString(i + 1));
        }
        return new TopicMetadata(id, t.getString(1), (int) t.getLong(2), TopicConfig.of(overrides), t.getLong(3));
    }

    private static LogException unknown(String tenant, String name) {
        return new LogException(LogErrorCode.UNKNOWN_TOPIC, "no topic '" + name + "' in tenant '" + tenant + "'");
    }
}
