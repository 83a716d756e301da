package dev.tributary.acl;

import java.util.Locale;

/** Whether a matching ACL allows or denies; a matching deny always wins. */
public enum AclPermission {
    ALLOW,
    DENY;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    /** The permission named {@code wireName}, or null if there is none. */
    public static AclPermission fromWire(String wireName) {
        for (AclPermission p : values()) {
            if (p.wireName.equals(wireName)) {
                return p;
            }
        }
        return null;
    }
}
