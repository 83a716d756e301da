package dev.tributary.cli;

/** The exit statuses of {@code bin/tributary} commands; scripts branch on these (listed in {@code --help}). */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /**
     * The operation failed: the server refused it (its error code is printed), the connection
     * failed, or some records could not be produced.
     */
    public static final int FAILED = 1;
    /** The command line or the connection profile is wrong; nothing was sent. */
    public static final int USAGE = 2;

    /** The text of {@code --help}'s footer. */
    static final String HELP_FOOTER = "%nExit status: " + OK + " done; " + FAILED + " the operation failed (the error's code is "
            + "printed as 'error: CODE: message'); " + USAGE + " bad command line or profile.";

    private ExitCodes() {}
}
