package dev.tributary.schema;

import java.util.Locale;

/**
 * Which earlier versions a new schema must be compatible with, and in which direction. BACKWARD: the
 * new schema reads data written with the earlier ones; FORWARD: the earlier ones read data written
 * with the new one; FULL: both. Transitive levels check every live version, the others only the
 * latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The new schema must read data written with the earlier version(s). */
    public boolean backward() {
        return backward;
    }

    /** The earlier version(s) must read data written with the new schema. */
    public boolean forward() {
        return forward;
    }

    /** Checked against every live version rather than the latest only. */
    public boolean transitive() {
        return transitive;
    }

    /** The level named {@code name} (case-insensitive); INVALID_COMPATIBILITY_LEVEL otherwise. */
    public static CompatibilityLevel parse(String name) {
        if (name != null) {
            for (CompatibilityLevel level : values()) {
                if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                    return level;
                }
            }
        }
        throw new SchemaRegistryException(SchemaErrorCode.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level '"
                + Names.printable(name) + "': one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,"
                + " FULL_TRANSITIVE");
    }
}
