package dev.tributary.topic;

import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.record.RecordBatch;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic's configuration: only the keys set explicitly (overrides) are stored, so that a later
 * change of a default applies to every topic that did not override it (as in Kafka). Keys and
 * ranges:
 *
 * <pre>
 * retention.ms           -1 (forever) or &gt;= 0          default 604800000 (7 days)
 * retention.bytes        -1 (no limit) or &gt;= 0         default -1
 * cleanup.policy         delete | compact               default delete
 * max.message.bytes      64 .. 8388608 (batch bytes)    default 1048588 (Kafka's)
 * min.compaction.lag.ms  &gt;= 0                           default 0
 * delete.retention.ms    &gt;= 0                           default 86400000 (1 day)
 * key.schema.validation  true | false                   default false
 * value.schema.validation true | false                  default false
 * key.schema.subject     a subject name, or empty       default empty: &lt;topic&gt;-key
 * value.schema.subject   a subject name, or empty       default empty: &lt;topic&gt;-value
 * </pre>
 *
 * <p>The schema keys bind the topic to schema-registry subjects: with validation on, the data
 * plane refuses records whose key (value) does not name, in the wire format, a schema id that the
 * subject registers. An empty subject means Confluent's TopicNameStrategy, which needs the topic's
 * name, hence {@link #keySchemaSubject(String)}.
 *
 * <p>max.message.bytes is capped at 8 MiB so that one append (batch chunks, keys, index entry)
 * always fits in a single storage transaction (10 MB).
 */
public final class TopicConfig {
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String KEY_SCHEMA_VALIDATION = "key.schema.validation";
    public static final String VALUE_SCHEMA_VALIDATION = "value.schema.validation";
    public static final String KEY_SCHEMA_SUBJECT = "key.schema.subject";
    public static final String VALUE_SCHEMA_SUBJECT = "value.schema.subject";
    /** The schema registry's limit on subject names (UTF-8 bytes). */
    public static final int MAX_SUBJECT_BYTES = 1000;

    /** Smallest batch: header and one empty record. */
    public static final int MIN_MAX_MESSAGE_BYTES = RecordBatch.HEADER_BYTES + 7;
    public static final int MAX_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(RETENTION_MS, "604800000");
        d.put(RETENTION_BYTES, "-1");
        d.put(CLEANUP_POLICY, "delete");
        d.put(MAX_MESSAGE_BYTES, "1048588");
        d.put(MIN_COMPACTION_LAG_MS, "0");
        d.put(DELETE_RETENTION_MS, "86400000");
        d.put(KEY_SCHEMA_VALIDATION, "false");
        d.put(VALUE_SCHEMA_VALIDATION, "false");
        d.put(KEY_SCHEMA_SUBJECT, "");
        d.put(VALUE_SCHEMA_SUBJECT, "");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    public static final TopicConfig DEFAULT = new TopicConfig(new TreeMap<>());

    private final Map<String, String> overrides;

    private TopicConfig(TreeMap<String, String> overrides) {
        this.overrides = Collections.unmodifiableMap(overrides);
    }

    /** Validates and keeps the given overrides; unknown keys or bad values fail with INVALID_CONFIG. */
    public static TopicConfig of(Map<String, String> overrides) {
        TreeMap<String, String> checked = new TreeMap<>();
        for (Map.Entry<String, String> e : Objects.requireNonNull(overrides, "overrides").entrySet()) {
            checked.put(e.getKey(), validate(e.getKey(), e.getValue()));
        }
        return new TopicConfig(checked);
    }

    /** This configuration with {@code set} applied and the keys in {@code reset} back to their defaults. */
    public TopicConfig with(Map<String, String> set, Collection<String> reset) {
        TreeMap<String, String> next = new TreeMap<>(overrides);
        for (String key : reset) {
            if (!DEFAULTS.containsKey(key)) {
                throw unknownKey(key);
            }
            next.remove(key);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            next.put(e.getKey(), validate(e.getKey(), e.getValue()));
        }
        return new TopicConfig(next);
    }

    public static List<String> keys() {
        return List.copyOf(DEFAULTS.keySet());
    }

    /** The explicitly set keys, sorted. */
    public Map<String, String> overrides() {
        return overrides;
    }

    /** Every key with its effective value (override or default). */
    public Map<String, String> effective() {
        Map<String, String> all = new LinkedHashMap<>(DEFAULTS);
        all.putAll(overrides);
        return all;
    }

    public long retentionMs() {
        return Long.parseLong(value(RETENTION_MS));
    }

    public long retentionBytes() {
        return Long.parseLong(value(RETENTION_BYTES));
    }

    public CleanupPolicy cleanupPolicy() {
        return value(CLEANUP_POLICY).equals("compact") ? CleanupPolicy.COMPACT : CleanupPolicy.DELETE;
    }

    public int maxMessageBytes() {
        return Integer.parseInt(value(MAX_MESSAGE_BYTES));
    }

    public long minCompactionLagMs() {
        return Long.parseLong(value(MIN_COMPACTION_LAG_MS));
    }

    public long deleteRetentionMs() {
        return Long.parseLong(value(DELETE_RETENTION_MS));
    }

    public boolean keySchemaValidation() {
        return Boolean.parseBoolean(value(KEY_SCHEMA_VALIDATION));
    }

    public boolean valueSchemaValidation() {
        return Boolean.parseBoolean(value(VALUE_SCHEMA_VALIDATION));
    }

    /** The subject keys must be registered under: the configured one, else {@code <topic>-key}. */
    public String keySchemaSubject(String topic) {
        String subject = value(KEY_SCHEMA_SUBJECT);
        return subject.isEmpty() ? topic + "-key" : subject;
    }

    /** The subject values must be registered under: the configured one, else {@code <topic>-value}. */
    public String valueSchemaSubject(String topic) {
        String subject = value(VALUE_SCHEMA_SUBJECT);
        return subject.isEmpty() ? topic + "-value" : subject;
    }

    private String value(String key) {
        String v = overrides.get(key);
        return v != null ? v : DEFAULTS.get(key);
    }

    /** Returns the canonical form of a valid value. */
    private static String validate(String key, String value) {
        if (key == null || !DEFAULTS.containsKey(key)) {
            throw unknownKey(key);
        }
        if (value == null) {
            throw new LogException(LogErrorCode.INVALID_CONFIG, key + " must have a value");
        }
        return switch (key) {
            case RETENTION_MS, RETENTION_BYTES -> Long.toString(parseLong(key, value, -1, Long.MAX_VALUE));
            case MIN_COMPACTION_LAG_MS, DELETE_RETENTION_MS -> Long.toString(parseLong(key, value, 0, Long.MAX_VALUE));
            case MAX_MESSAGE_BYTES -> Long.toString(parseLong(key, value, MIN_MAX_MESSAGE_BYTES, MAX_MAX_MESSAGE_BYTES));
            case CLEANUP_POLICY -> {
                if (!value.equals("delete") && !value.equals("compact")) {
                    throw new LogException(LogErrorCode.INVALID_CONFIG,
                            CLEANUP_POLICY + " must be 'delete' or 'compact', not '" + value + "'");
                }
                yield value;
            }
            case KEY_SCHEMA_VALIDATION, VALUE_SCHEMA_VALIDATION -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new LogException(LogErrorCode.INVALID_CONFIG, key + " must be 'true' or 'false', not '" + value + "'");
                }
                yield value;
            }
            case KEY_SCHEMA_SUBJECT, VALUE_SCHEMA_SUBJECT -> subject(key, value);
            default -> throw unknownKey(key);
        };
    }

    /** The registry's rules for subject names (1 to 1,000 bytes of UTF-8, no control characters); empty: the default. */
    private static String subject(String key, String value) {
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SUBJECT_BYTES) {
            throw new LogException(LogErrorCode.INVALID_CONFIG, key + " may be at most " + MAX_SUBJECT_BYTES + " bytes of UTF-8");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new LogException(LogErrorCode.INVALID_CONFIG, key + " may not contain control characters");
            }
        }
        if (value.startsWith(":.")) {
            throw new LogException(LogErrorCode.INVALID_CONFIG, key + ": Confluent contexts (':.ctx:...') are not supported");
        }
        return value;
    }

    private static long parseLong(String key, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new LogException(LogErrorCode.INVALID_CONFIG, key + " must be an integer, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new LogException(LogErrorCode.INVALID_CONFIG, key + " must be in [" + min + ", " + max + "], not " + v);
        }
        return v;
    }

    private static LogException unknownKey(String key) {
        return new LogException(LogErrorCode.INVALID_CONFIG, "unknown topic config '" + key + "'; known: " + DEFAULTS.keySet());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicConfig other && overrides.equals(other.overrides);
    }

    @Override
    public int hashCode() {
        return overrides.hashCode();
    }

    @Override
    public String toString() {
        return "TopicConfig" + overrides;
    }
}
