package dev.tributary.schema;

/** A schema-registry request refused for a stable reason ({@link #code()}); nothing was written. */
public class SchemaRegistryException extends RuntimeException {
    private final SchemaErrorCode code;

    public SchemaRegistryException(SchemaErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SchemaRegistryException(SchemaErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public SchemaErrorCode code() {
        return code;
    }

    static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(SchemaErrorCode.SUBJECT_NOT_FOUND, "Subject '" + Names.printable(subject) + "' not found.");
    }

    static SchemaRegistryException versionNotFound(String subject, Object version) {
        return new SchemaRegistryException(SchemaErrorCode.VERSION_NOT_FOUND, "Version " + version + " of subject '"
                + Names.printable(subject) + "' not found.");
    }

    static SchemaRegistryException schemaNotFound(Object id) {
        return new SchemaRegistryException(SchemaErrorCode.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }

    public static SchemaRegistryException invalidSchema(String message) {
        return new SchemaRegistryException(SchemaErrorCode.INVALID_SCHEMA, message);
    }

    static SchemaRegistryException notPermitted(String message) {
        return new SchemaRegistryException(SchemaErrorCode.OPERATION_NOT_PERMITTED, message);
    }
}
