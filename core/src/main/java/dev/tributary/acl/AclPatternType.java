package dev.tributary.acl;

import java.util.Locale;

/** How an ACL's resource name matches: exactly (or every name, when it is "*"), or as a prefix. */
public enum AclPatternType {
    /** The name itself; the literal name "*" matches every resource of the type (Kafka's wildcard). */
    LITERAL,
    /** Every name that starts with the ACL's name. */
    PREFIXED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    /** The pattern type named {@code wireName}, or null if there is none. */
    public static AclPatternType fromWire(String wireName) {
        for (AclPatternType type : values()) {
            if (type.wireName.equals(wireName)) {
                return type;
            }
        }
        return null;
    }
}
