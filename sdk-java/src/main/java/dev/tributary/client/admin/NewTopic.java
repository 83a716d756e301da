package dev.tributary.client.admin;

import java.util.Map;
import java.util.Objects;

/**
 * A topic to create.
 *
 * @param name name (the server checks the naming rules)
 * @param partitions partition count, at least 1
 * @param config topic settings (e.g. {@code retention.ms}, {@code cleanup.policy}); the rest default
 */
public record NewTopic(String name, int partitions, Map<String, String> config) {
    public NewTopic {
        Objects.requireNonNull(name, "name");
        config = config == null ? Map.of() : Map.copyOf(config);
    }

    public NewTopic(String name, int partitions) {
        this(name, partitions, Map.of());
    }
}
