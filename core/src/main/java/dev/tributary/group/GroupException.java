package dev.tributary.group;

/** A consumer-group operation refused for a stable reason ({@link #code()}); nothing was written. */
public class GroupException extends RuntimeException {
    private final GroupErrorCode code;

    public GroupException(GroupErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public GroupErrorCode code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
