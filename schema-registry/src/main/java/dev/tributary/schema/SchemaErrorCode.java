package dev.tributary.schema;

/**
 * Why a schema-registry request was refused, with the HTTP status and the numeric {@code error_code}
 * of the Confluent Schema Registry API, which existing clients and tools branch on.
 */
public enum SchemaErrorCode {
    SUBJECT_NOT_FOUND(404, 40401),
    VERSION_NOT_FOUND(404, 40402),
    SCHEMA_NOT_FOUND(404, 40403),
    /** Every version of the subject is soft-deleted; only {@code permanent=true} may delete it further. */
    SUBJECT_SOFT_DELETED(404, 40404),
    /** A permanent delete of a subject that still has live versions. */
    SUBJECT_NOT_SOFT_DELETED(404, 40405),
    VERSION_SOFT_DELETED(404, 40406),
    /** A permanent delete of a version that is not soft-deleted first. */
    VERSION_NOT_SOFT_DELETED(404, 40407),
    SUBJECT_COMPATIBILITY_NOT_CONFIGURED(404, 40408),
    SUBJECT_MODE_NOT_CONFIGURED(404, 40409),
    /** Confluent Platform answers 409 with error_code 409 (newer releases: 40901). */
    INCOMPATIBLE_SCHEMA(409, 409),
    /** Not a valid schema of its type, an unknown type, an empty schema, or a reference that does not resolve. */
    INVALID_SCHEMA(422, 42201),
    INVALID_VERSION(422, 42202),
    INVALID_COMPATIBILITY_LEVEL(422, 42203),
    INVALID_MODE(422, 42204),
    /** Refused by the mode (READONLY, IMPORT rules) or by an id or version that is taken. */
    OPERATION_NOT_PERMITTED(422, 42205),
    /** The version is referenced by another schema and may not be deleted. */
    REFERENCE_EXISTS(422, 42206),
    /** An explicit id (IMPORT mode) for a schema that already has another id. */
    ID_DOES_NOT_MATCH(422, 42207),
    INVALID_SUBJECT(422, 42208),
    SCHEMA_TOO_LARGE(422, 42209),
    /** The request body is not JSON (Confluent's REST layer answers 400 with error_code 400). */
    MALFORMED_REQUEST(400, 400),
    /** JSON of the wrong shape (Confluent's REST layer answers 422 with error_code 422). */
    UNPROCESSABLE_REQUEST(422, 422),
    /** Authenticated, not allowed (Confluent's authorizer answers 40301). */
    FORBIDDEN(403, 40301),
    /** No such endpoint. */
    NOT_FOUND(404, 404),
    /** The store failed or timed out. */
    STORE_ERROR(500, 50001),
    OPERATION_TIMEOUT(500, 50002),
    INTERNAL(500, 500);

    private final int httpStatus;
    private final int errorCode;

    SchemaErrorCode(int httpStatus, int errorCode) {
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The {@code error_code} of the JSON error body. */
    public int errorCode() {
        return errorCode;
    }
}
