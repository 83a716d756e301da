package dev.tributary.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Shared machinery of {@link dev.tributary.client.producer.ProducerConfig} and {@link
 * dev.tributary.client.consumer.ConsumerConfig}: string settings with Kafka-style names, checked
 * against a table of known keys and defaults when built, so a typo fails at once
 * (INVALID_CONFIG) instead of being silently ignored.
 */
public abstract class ClientConfig {
    private final Map<String, String> values;

    protected ClientConfig(Map<String, String> given, Map<String, String> defaults) {
        Map<String, String> merged = new TreeMap<>(defaults);
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!defaults.containsKey(e.getKey())) {
                throw new TributaryException(TributaryException.INVALID_CONFIG, "unknown setting '" + e.getKey() + "'; known: "
                        + defaults.keySet());
            }
            if (e.getValue() != null) {
                merged.put(e.getKey(), e.getValue().trim());
            }
        }
        this.values = Collections.unmodifiableMap(merged);
    }

    /** Every setting with the value in force. */
    public Map<String, String> values() {
        return values;
    }

    public String getString(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return v;
    }

    public long getLong(String key, long min, long max) {
        String v = getString(key);
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, key + " must be a whole number, not '" + v + "'");
        }
        if (n < min || n > max) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, key + " must be in [" + min + ", " + max + "], not " + n);
        }
        return n;
    }

    public int getInt(String key, int min, int max) {
        return (int) getLong(key, min, max);
    }

    public boolean getBoolean(String key) {
        String v = getString(key);
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new TributaryException(TributaryException.INVALID_CONFIG, key + " must be true or false, not '" + v + "'");
    }

    /** The value, which must be one of {@code allowed} (case-insensitive), in lower case. */
    public String getChoice(String key, Set<String> allowed) {
        String v = getString(key).toLowerCase(java.util.Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new TributaryException(TributaryException.INVALID_CONFIG, key + " must be one of " + allowed + ", not '" + v + "'");
        }
        return v;
    }

    /** Collects settings; subclasses add typed setters for the common ones. */
    public abstract static class Builder<B extends Builder<B>> {
        protected final Map<String, String> values = new LinkedHashMap<>();

        /** Sets any known setting by its name. */
        @SuppressWarnings("unchecked")
        public B set(String key, Object value) {
            values.put(key, value == null ? null : value.toString());
            return (B) this;
        }

        /** Sets every entry (e.g. from a properties file); unknown keys fail at build. */
        @SuppressWarnings("unchecked")
        public B setAll(Map<?, ?> settings) {
            settings.forEach((k, v) -> set(k.toString(), v));
            return (B) this;
        }
    }
}
