package dev.tributary.schema;

import java.nio.charset.StandardCharsets;

/** Subject names: what is accepted, and how names are echoed in messages. */
public final class Names {
    /** Longest subject, in UTF-8 bytes: keys hold it twice (reference index) and must stay far below 10,000 bytes. */
    public static final int MAX_SUBJECT_BYTES = 1000;

    private Names() {}

    /**
     * A subject is 1 to {@value #MAX_SUBJECT_BYTES} UTF-8 bytes without control characters. Names
     * starting with ":." are Confluent's schema contexts, which this registry does not have: they
     * are refused rather than stored as plain names that would mean something else to a client.
     */
    public static void requireValidSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new SchemaRegistryException(SchemaErrorCode.INVALID_SUBJECT, "The subject name is empty");
        }
        if (subject.getBytes(StandardCharsets.UTF_8).length > MAX_SUBJECT_BYTES) {
            throw new SchemaRegistryException(SchemaErrorCode.INVALID_SUBJECT, "The subject name is longer than "
                    + MAX_SUBJECT_BYTES + " bytes (UTF-8)");
        }
        if (subject.chars().anyMatch(Character::isISOControl)) {
            throw new SchemaRegistryException(SchemaErrorCode.INVALID_SUBJECT, "The subject name '" + printable(subject)
                    + "' contains control characters");
        }
        if (subject.startsWith(":.")) {
            throw new SchemaRegistryException(SchemaErrorCode.INVALID_SUBJECT, "The subject name '" + printable(subject)
                    + "' names a schema context; contexts are not supported");
        }
    }

    /** For messages: long or unprintable input is not echoed as is. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
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
