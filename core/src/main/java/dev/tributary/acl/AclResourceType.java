package dev.tributary.acl;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The kinds of resource an ACL can name, each with the operations that mean something on it (an
 * ACL with any other operation is refused as INVALID_ACL rather than stored to no effect). On the
 * wire a type is its {@link #wireName()}.
 */
public enum AclResourceType {
    /** The tenant itself (Kafka's cluster resource): creating topics in it, describing it. Named by the tenant id or "*". */
    TENANT(EnumSet.of(AclOperation.ALL, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS)),
    TOPIC(EnumSet.allOf(AclOperation.class)),
    /** Consumer groups: read to be a member and commit, describe to list and describe, delete. */
    GROUP(EnumSet.of(AclOperation.ALL, AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE)),
    /** Schema-registry subjects; the registry decides what each operation covers. */
    SUBJECT(EnumSet.allOf(AclOperation.class)),
    /** Transactional producer ids: write to use one, describe to see it. */
    TRANSACTIONAL_ID(EnumSet.of(AclOperation.ALL, AclOperation.WRITE, AclOperation.DESCRIBE));

    private final String wireName = name().toLowerCase(Locale.ROOT).replace('_', '-');
    private final Set<AclOperation> operations;

    AclResourceType(Set<AclOperation> operations) {
        this.operations = Set.copyOf(operations);
    }

    public String wireName() {
        return wireName;
    }

    /** The operations an ACL on this type may name. */
    public Set<AclOperation> operations() {
        return operations;
    }

    /** The type named {@code wireName}, or null if there is none. */
    public static AclResourceType fromWire(String wireName) {
        for (AclResourceType type : values()) {
            if (type.wireName.equals(wireName)) {
                return type;
            }
        }
        return null;
    }
}
