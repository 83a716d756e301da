package dev.tributary.acl;

import java.util.Locale;

/**
 * What an ACL allows or denies, with Kafka's meaning. On the wire (REST, stored bindings) an
 * operation is its {@link #wireName()}: lower case with hyphens.
 */
public enum AclOperation {
    /** Every operation: an allow of ALL allows everything, a deny of ALL denies everything. */
    ALL,
    READ,
    WRITE,
    CREATE,
    DELETE,
    DESCRIBE,
    ALTER,
    DESCRIBE_CONFIGS,
    ALTER_CONFIGS;

    private final String wireName = name().toLowerCase(Locale.ROOT).replace('_', '-');

    public String wireName() {
        return wireName;
    }

    /** The operation named {@code wireName}, or null if there is none. */
    public static AclOperation fromWire(String wireName) {
        for (AclOperation op : values()) {
            if (op.wireName.equals(wireName)) {
                return op;
            }
        }
        return null;
    }

    /**
     * Whether an <em>allow</em> of this operation allows {@code requested}. As in Kafka, read,
     * write, delete and alter imply describe, and alter-configs implies describe-configs: whoever
     * may use or change a resource may see it.
     */
    public boolean allows(AclOperation requested) {
        if (this == ALL || this == requested) {
            return true;
        }
        return switch (requested) {
            case DESCRIBE -> this == READ || this == WRITE || this == DELETE || this == ALTER;
            case DESCRIBE_CONFIGS -> this == ALTER_CONFIGS;
            default -> false;
        };
    }

    /**
     * Whether a <em>deny</em> of this operation denies {@code requested}: only the operation itself
     * and ALL. Implication widens what an allow grants, never what a deny takes away (Kafka's rule):
     * denying read leaves describe to whatever allows it.
     */
    public boolean denies(AclOperation requested) {
        return this == ALL || this == requested;
    }
}
