package dev.tributary.client.admin;

/** The type of resource an ACL names. For {@link #TENANT} the resource name is the tenant id or {@code *}. */
public enum AclResourceType {
    TENANT("tenant"),
    TOPIC("topic"),
    GROUP("group"),
    SUBJECT("subject"),
    TRANSACTIONAL_ID("transactional-id"),
    /** A value this client does not know (a newer server); never sent. */
    UNKNOWN("unknown");

    private final String wireName;

    AclResourceType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire and on the command line, lower-case with hyphens. */
    public String wireName() {
        return wireName;
    }

    /** The constant for a wire name (case-insensitive, '_' taken as '-'); {@link #UNKNOWN} if there is none. */
    public static AclResourceType fromWire(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            for (AclResourceType v : values()) {
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
