package dev.tributary.client.serde.avro;

import dev.tributary.client.TributaryException;
import java.util.Map;
import java.util.Set;

/**
 * Settings of {@link AvroSerializer} and {@link AvroDeserializer}, with Confluent's names and
 * defaults. The registry itself is the profile's ({@code tributary.schema-registry.url}), so
 * {@code schema.registry.url} and the credentials settings are not taken here. Unknown keys and bad
 * values fail with {@code INVALID_CONFIG}.
 *
 * @param autoRegisterSchemas {@code auto.register.schemas} (true): the serializer registers the
 *     record's schema under the subject; false: it must already be registered (looked up)
 * @param useLatestVersion {@code use.latest.version} (false): the serializer writes with the
 *     subject's latest schema and its id instead of the record's own schema (needs {@code
 *     auto.register.schemas=false}); fetched once, then cached for the serializer's life
 * @param specificAvroReader {@code specific.avro.reader} (false): the deserializer answers
 *     generated SpecificRecord classes (found by the writer schema's full name) instead of
 *     GenericRecords
 */
public record AvroSerdeConfig(boolean autoRegisterSchemas, boolean useLatestVersion, boolean specificAvroReader) {
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    /** Only TopicNameStrategy ({@code <topic>-key}, {@code <topic>-value}) is supported; these keys may name it. */
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    private static final Set<String> TOPIC_NAME_STRATEGY = Set.of("TopicNameStrategy",
            "io.confluent.kafka.serializers.subject.TopicNameStrategy");

    public AvroSerdeConfig {
        if (useLatestVersion && autoRegisterSchemas) {
            // Confluent's serializer would register the record's schema and then ignore it; refuse the contradiction.
            throw new TributaryException(TributaryException.INVALID_CONFIG, USE_LATEST_VERSION + "=true needs "
                    + AUTO_REGISTER_SCHEMAS + "=false");
        }
    }

    /** The defaults: auto-register, the record's own schema, generic reader. */
    public static AvroSerdeConfig defaults() {
        return new AvroSerdeConfig(true, false, false);
    }

    /** Settings from Kafka-style properties (values as strings or booleans). */
    public static AvroSerdeConfig fromMap(Map<String, ?> configs) {
        boolean autoRegister = true;
        boolean useLatest = false;
        boolean specific = false;
        for (Map.Entry<String, ?> e : configs.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            switch (key) {
                case AUTO_REGISTER_SCHEMAS -> autoRegister = bool(key, value);
                case USE_LATEST_VERSION -> useLatest = bool(key, value);
                case SPECIFIC_AVRO_READER -> specific = bool(key, value);
                case KEY_SUBJECT_NAME_STRATEGY, VALUE_SUBJECT_NAME_STRATEGY -> {
                    String name = value instanceof Class<?> c ? c.getName() : String.valueOf(value).trim();
                    if (!TOPIC_NAME_STRATEGY.contains(name)) {
                        throw new TributaryException(TributaryException.INVALID_CONFIG, key + ": only TopicNameStrategy is supported, not '"
                                + name + "'");
                    }
                }
                default -> throw new TributaryException(TributaryException.INVALID_CONFIG, "unknown Avro serde setting '" + key + "'"
                        + (key.startsWith("schema.registry") || key.startsWith("basic.auth") || key.startsWith("bearer.auth")
                                ? " (the registry and its credentials come from the client's profile)" : ""));
            }
        }
        return new AvroSerdeConfig(autoRegister, useLatest, specific);
    }

    private static boolean bool(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value == null ? "" : value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new TributaryException(TributaryException.INVALID_CONFIG, key + " must be true or false, not '" + value + "'");
    }

    /** The subject of a topic's keys or values under TopicNameStrategy. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
