package dev.tributary.acl;

/** An ACL operation refused for a stable reason ({@link #code()}); nothing was written. */
public class AclException extends RuntimeException {
    private final AclErrorCode code;
    private final String field;

    public AclException(AclErrorCode code, String field, String message) {
        super(message);
        this.code = code;
        this.field = field;
    }

    public AclErrorCode code() {
        return code;
    }

    /** The binding field at fault for {@link AclErrorCode#INVALID_ACL} (e.g. {@code principal}); null otherwise. */
    public String field() {
        return field;
    }

    /** The message without the code prefix: what a client is shown. */
    public String detail() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    static AclException invalid(String field, String message) {
        return new AclException(AclErrorCode.INVALID_ACL, field, message);
    }
}
