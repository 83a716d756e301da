package dev.tributary.client.admin;

/**
 * An operation an ACL allows or denies. {@code read}, {@code write}, {@code delete} and {@code
 * alter} imply {@code describe}; {@code alter-configs} implies {@code describe-configs}; {@code all}
 * matches every operation.
 */
public enum AclOperation {
    ALL("all"),
    READ("read"),
    WRITE("write"),
    CREATE("create"),
    DELETE("delete"),
    DESCRIBE("describe"),
    ALTER("alter"),
    DESCRIBE_CONFIGS("describe-configs"),
    ALTER_CONFIGS("alter-configs"),
    /** A value this client does not know (a newer server); never sent. */
    UNKNOWN("unknown");

    private final String wireName;

    AclOperation(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire and on the command line, lower-case with hyphens. */
    public String wireName() {
        return wireName;
    }

    /** The constant for a wire name (case-insensitive, '_' taken as '-'); {@link #UNKNOWN} if there is none. */
    public static AclOperation fromWire(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            for (AclOperation v : values()) {
                if (v != UNKNOWN && v.wireName.equals(n)) {
                    return v;
                }
            }
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
