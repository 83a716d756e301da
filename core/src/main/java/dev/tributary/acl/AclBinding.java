package dev.tributary.acl;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.topic.TopicStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One ACL of a tenant: {@code principal} may ({@code allow}) or may not ({@code deny}) perform
 * {@code operation} on the resources of {@code resourceType} whose name is {@code resourceName}
 * ({@code literal}) or starts with it ({@code prefixed}).
 *
 * <p>The {@link #id()} is derived from the six fields (a hash of their canonical tuple encoding),
 * so the same binding always has the same id, on every node and after every restart, and creating
 * it twice is a duplicate rather than a second copy.
 *
 * <p>Build one with {@link #of} or {@link #parse}, which validate; the canonical constructor only
 * refuses nulls (bindings read back from storage were validated when written).
 */
public record AclBinding(String principal, AclOperation operation, AclResourceType resourceType, AclPatternType patternType,
        String resourceName, AclPermission permission) {

    /** The principal that stands for every principal of the tenant. */
    public static final String ANY_PRINCIPAL = "*";
    /** The literal resource name that matches every resource of its type. */
    public static final String ANY_RESOURCE = "*";
    /** Service-account ids (also their OAuth2 client id and the {@code sub} of their tokens). */
    public static final Pattern SERVICE_ACCOUNT_ID = Pattern.compile("sa-[a-z2-7]{20}");
    /** Identity-pool names: the part before ':' in the id of a principal from a tenant's identity pool. */
    public static final Pattern POOL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Longest claim value of an identity-pool principal, and longest subject or transactional id an ACL may name. */
    public static final int MAX_NAME_LENGTH = 1000;
    /** Binding ids: 20 characters of lower-case base32 (100 bits of the hash). */
    public static final Pattern ID = Pattern.compile("[a-z2-7]{20}");

    private static final Pattern TOPIC_PREFIX = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    public AclBinding {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(permission, "permission");
    }

    /** A validated binding; INVALID_ACL naming the first field at fault otherwise. */
    public static AclBinding of(String principal, AclOperation operation, AclResourceType resourceType,
            AclPatternType patternType, String resourceName, AclPermission permission) {
        requirePresent("operation", operation);
        requirePresent("resourceType", resourceType);
        requirePresent("patternType", patternType);
        requirePresent("permission", permission);
        validatePrincipal(principal);
        if (!resourceType.operations().contains(operation)) {
            throw AclException.invalid("operation", "operation '" + operation.wireName() + "' means nothing on resource type '"
                    + resourceType.wireName() + "'; it takes " + wireNames(resourceType));
        }
        validateResourceName(resourceType, patternType, resourceName);
        return new AclBinding(principal, operation, resourceType, patternType, resourceName, permission);
    }

    /** A validated binding from wire names, as the REST API receives them; INVALID_ACL naming the field otherwise. */
    public static AclBinding parse(String principal, String operation, String resourceType, String patternType,
            String resourceName, String permission) {
        return of(principal, wire("operation", operation, AclOperation.fromWire(operation), AclOperation.values()),
                wire("resourceType", resourceType, AclResourceType.fromWire(resourceType), AclResourceType.values()),
                wire("patternType", patternType, AclPatternType.fromWire(patternType), AclPatternType.values()),
                resourceName,
                wire("permission", permission, AclPermission.fromWire(permission), AclPermission.values()));
    }

    /** The id: lower-case base32 of the first 100 bits of the SHA-256 of the canonical tuple. */
    public String id() {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(canonical().pack());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
        StringBuilder id = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            int bit = i * 5;
            int twoBytes = ((digest[bit / 8] & 0xff) << 8) | (digest[bit / 8 + 1] & 0xff);
            id.append(BASE32[(twoBytes >> (11 - bit % 8)) & 31]);
        }
        return id.toString();
    }

    /** The six fields as wire-named strings: what the id hashes and what storage keeps. */
    Tuple canonical() {
        return Tuple.from(principal, operation.wireName(), resourceType.wireName(), patternType.wireName(), resourceName,
                permission.wireName());
    }

    /** Whether this binding's resource pattern covers the resource named {@code name} (of this binding's type). */
    public boolean matchesResource(String name) {
        return switch (patternType) {
            case LITERAL -> resourceName.equals(name) || resourceName.equals(ANY_RESOURCE);
            case PREFIXED -> name.startsWith(resourceName);
        };
    }

    /**
     * Checks what depends on the tenant the binding is stored in: a tenant resource is named by that
     * tenant's id (or "*"), never another tenant's.
     */
    public void validateFor(String tenant) {
        if (resourceType == AclResourceType.TENANT && !resourceName.equals(ANY_RESOURCE) && !resourceName.equals(tenant)) {
            throw AclException.invalid("resourceName", "resourceName of a tenant ACL in tenant '" + tenant + "' is '" + tenant
                    + "' or '*', not '" + resourceName + "'");
        }
    }

    @Override
    public String toString() {
        return permission.wireName() + " " + principal + " " + operation.wireName() + " on " + resourceType.wireName() + " "
                + (patternType == AclPatternType.PREFIXED ? "prefixed '" : "'") + resourceName + "'";
    }

    private static void validatePrincipal(String principal) {
        if (principal == null || principal.isEmpty()) {
            throw AclException.invalid("principal", "principal is required: '*', a service account id or 'pool:value'");
        }
        if (principal.equals(ANY_PRINCIPAL) || SERVICE_ACCOUNT_ID.matcher(principal).matches()) {
            return;
        }
        int colon = principal.indexOf(':');
        if (colon > 0 && POOL_NAME.matcher(principal.substring(0, colon)).matches()) {
            String value = principal.substring(colon + 1);
            if (!value.isEmpty() && value.length() <= MAX_NAME_LENGTH && !hasControlCharacter(value)) {
                return;
            }
        }
        throw AclException.invalid("principal", "principal must be '*' (any principal of the tenant), a service account id"
                + " (sa- and 20 characters of a-z, 2-7) or an identity-pool principal 'pool:value' (pool: "
                + POOL_NAME.pattern() + "; value: 1 to " + MAX_NAME_LENGTH + " characters, no control characters), not '"
                + printable(principal) + "'");
    }

    private static void validateResourceName(AclResourceType type, AclPatternType pattern, String name) {
        if (name == null || name.isEmpty()) {
            throw AclException.invalid("resourceName", "resourceName is required");
        }
        boolean literal = pattern == AclPatternType.LITERAL;
        switch (type) {
            case TENANT -> {
                if (!literal) {
                    throw AclException.invalid("patternType", "patternType of a tenant ACL is literal: it names the tenant or '*'");
                }
                if (!name.equals(ANY_RESOURCE) && !RootKeySpace.TENANT_ID.matcher(name).matches()) {
                    throw AclException.invalid("resourceName", "resourceName of a tenant ACL is the tenant id or '*', not '"
                            + printable(name) + "'");
                }
            }
            case TOPIC -> {
                boolean valid = literal
                        ? name.equals(ANY_RESOURCE) || (TopicStore.NAME.matcher(name).matches() && !name.equals(".") && !name.equals(".."))
                        : TOPIC_PREFIX.matcher(name).matches();
                if (!valid) {
                    throw AclException.invalid("resourceName", (literal
                            ? "resourceName of a literal topic ACL is a topic name (1 to 249 of [a-zA-Z0-9._-], not '.' or '..') or '*'"
                            : "resourceName of a prefixed topic ACL is a prefix of topic names (1 to 249 of [a-zA-Z0-9._-])")
                            + ", not '" + printable(name) + "'");
                }
            }
            case GROUP -> {
                if (!GroupCoordinator.ID.matcher(name).matches()) {
                    throw AclException.invalid("resourceName", "resourceName of a " + pattern.wireName() + " group ACL is a group id "
                            + (literal ? "(or '*')" : "prefix") + ": 1 to 249 printable ASCII characters without spaces, not '"
                            + printable(name) + "'");
                }
            }
            case SUBJECT, TRANSACTIONAL_ID -> {
                if (name.length() > MAX_NAME_LENGTH || hasControlCharacter(name)) {
                    throw AclException.invalid("resourceName", "resourceName of a " + type.wireName() + " ACL is 1 to "
                            + MAX_NAME_LENGTH + " characters without control characters");
                }
            }
        }
    }

    private static <E extends Enum<E>> E wire(String field, String given, E parsed, E[] all) {
        if (given == null) {
            throw AclException.invalid(field, field + " is required");
        }
        if (parsed == null) {
            StringBuilder names = new StringBuilder();
            for (E e : all) {
                names.append(names.length() == 0 ? "" : ", ").append(wireName(e));
            }
            throw AclException.invalid(field, field + " must be one of " + names + ", not '" + printable(given) + "'");
        }
        return parsed;
    }

    private static void requirePresent(String field, Object value) {
        if (value == null) {
            throw AclException.invalid(field, field + " is required");
        }
    }

    private static String wireName(Enum<?> e) {
        if (e instanceof AclOperation o) {
            return o.wireName();
        } else if (e instanceof AclResourceType t) {
            return t.wireName();
        } else if (e instanceof AclPatternType p) {
            return p.wireName();
        }
        return ((AclPermission) e).wireName();
    }

    private static String wireNames(AclResourceType type) {
        StringBuilder names = new StringBuilder();
        for (AclOperation op : AclOperation.values()) {
            if (type.operations().contains(op)) {
                names.append(names.length() == 0 ? "" : ", ").append(op.wireName());
            }
        }
        return names.toString();
    }

    private static boolean hasControlCharacter(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /** For error messages: long or unprintable input is not echoed as is. */
    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
