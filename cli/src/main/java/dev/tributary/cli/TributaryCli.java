package dev.tributary.cli;

import dev.tributary.client.TributaryException;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/tributary} for everything but {@code standalone}: topics, produce, consume, and the
 * administration of tenants, service accounts, ACLs, quotas, identity pools and consumer groups, on
 * the Java SDK. Errors end as one line {@code error: CODE: message} on stderr and an exit status from
 * {@link ExitCodes}. Runs in-process too ({@link #execute}) with given stdin, stdout and stderr.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, versionProvider = TributaryCli.Version.class,
        description = {"Tributary command line: manage topics, produce lines from stdin, consume to stdout;",
                "administer tenants, service accounts, ACLs, quotas, identity pools and consumer groups."},
        subcommands = {TopicCommand.class, ProduceCommand.class, ConsumeCommand.class, TenantCommand.class,
                ServiceAccountCommand.class, AclCommand.class, QuotaCommand.class, IdentityPoolCommand.class, GroupCommand.class,
                HelpCommand.class},
        footer = ExitCodes.HELP_FOOTER)
public final class TributaryCli implements Runnable {
    @Spec
    CommandSpec spec;

    private final InputStream stdin;

    TributaryCli(InputStream stdin) {
        this.stdin = stdin;
    }

    /** What {@code produce} reads. */
    InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required: topic, produce, consume, tenant, "
                + "service-account, acl, quota, identity-pool or group");
    }

    public static void main(String[] args) {
        // Buffered, flushed by the commands where it matters (after each consumed batch) and at the end.
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int status = execute(System.in, out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command line with the given streams; returns the exit status. */
    public static int execute(InputStream stdin, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new TributaryCli(stdin))
                .setOut(out)
                .setErr(err)
                // Wide enough that option descriptions with dotted setting names wrap at spaces.
                .setUsageHelpWidth(100)
                .setUsageHelpAutoWidth(true)
                .setParameterExceptionHandler(TributaryCli::usageError)
                .setExecutionExceptionHandler((e, cl, parsed) -> failure(e, cl));
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: USAGE: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for its options.");
        return ExitCodes.USAGE;
    }

    private static int failure(Exception e, CommandLine cl) {
        PrintWriter err = cl.getErr();
        Throwable t = unwrap(e);
        if (t instanceof CliFailure f) {
            err.println("error: " + f.code() + ": " + f.getMessage());
            return f.exitCode();
        }
        if (t instanceof TributaryException te) {
            err.println("error: " + te.code() + ": " + detail(te));
            return ExitCodes.FAILED;
        }
        // Anything else is a bug in the CLI or the SDK: say so, with the stack for the report.
        err.println("error: INTERNAL: " + t);
        t.printStackTrace(err);
        return ExitCodes.FAILED;
    }

    /** The message of a TributaryException without the leading {@code CODE: } it carries. */
    static String detail(TributaryException e) {
        String message = e.getMessage();
        String prefix = e.code() + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : String.valueOf(message);
    }

    /** The result of an SDK future; its failure rethrown as the TributaryException inside. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The version of the jar (its manifest's Implementation-Version), or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TributaryCli.class.getPackage().getImplementationVersion();
            return new String[] {"tributary " + (v == null ? "development build" : v)};
        }
    }
}
