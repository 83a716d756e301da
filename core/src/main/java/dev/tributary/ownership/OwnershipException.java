package dev.tributary.ownership;

/** An ownership operation refused for a stable reason ({@link #code()}); nothing was written. */
public class OwnershipException extends RuntimeException {
    private final OwnershipErrorCode code;

    public OwnershipException(OwnershipErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public OwnershipErrorCode code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
