package dev.tributary.schema;

import java.util.Locale;

/**
 * What a subject (or the whole tenant) accepts. READWRITE: registrations get new ids and versions
 * and are checked for compatibility. READONLY: no registrations or deletes. IMPORT: registrations
 * may carry their id and version (migrating from another registry) and are not checked for
 * compatibility; registrations without them are refused.
 */
public enum Mode {
    READWRITE,
    READONLY,
    IMPORT;

    /** The mode named {@code name} (case-insensitive); INVALID_MODE otherwise. */
    public static Mode parse(String name) {
        if (name != null) {
            for (Mode mode : values()) {
                if (mode.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                    return mode;
                }
            }
        }
        throw new SchemaRegistryException(SchemaErrorCode.INVALID_MODE, "Invalid mode '" + Names.printable(name)
                + "': one of READWRITE, READONLY, IMPORT");
    }
}
