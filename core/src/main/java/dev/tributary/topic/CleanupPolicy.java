package dev.tributary.topic;

import java.util.Locale;

/** What happens to old data: deleted by retention, or compacted to the latest record per key. */
public enum CleanupPolicy {
    DELETE,
    COMPACT;

    /** The configuration value: {@code delete} or {@code compact}. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
