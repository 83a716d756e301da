package dev.tributary.schema;

import java.util.List;

/** The outcome of a compatibility check; {@code messages} say what broke, against which version. */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
