package dev.tributary.cli;

/**
 * A failure the CLI detects itself, with the code printed as {@code error: CODE: message} and the
 * exit status to end with (e.g. an unreadable profile: {@link ExitCodes#USAGE}).
 */
final class CliFailure extends RuntimeException {
    private final String code;
    private final int exitCode;

    CliFailure(String code, String message, int exitCode) {
        super(message);
        this.code = code;
        this.exitCode = exitCode;
    }

    String code() {
        return code;
    }

    int exitCode() {
        return exitCode;
    }
}
