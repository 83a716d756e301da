package dev.tributary.client.admin;

/** How an ACL's resource name matches: exactly, or as a prefix. */
public enum AclPatternType {
    LITERAL("literal"),
    PREFIXED("prefixed"),
    /** A value this client does not know (a newer server); never sent. */
    UNKNOWN("unknown");

    private final String wireName;

    AclPatternType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire and on the command line, lower-case with hyphens. */
    public String wireName() {
        return wireName;
    }

    /** The constant for a wire name (case-insensitive, '_' taken as '-'); {@link #UNKNOWN} if there is none. */
    public static AclPatternType fromWire(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            for (AclPatternType v : values()) {
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
