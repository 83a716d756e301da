package dev.tributary.cli;

import static dev.tributary.cli.TributaryCli.await;

import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Admin;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the admin subcommands of one tenant (service accounts, ACLs, quota, identity pools, groups)
 * share: the command line, {@code --profile} / {@code --tenant}, and one call to the admin client.
 */
abstract class AdminCall implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ConnectionOptions connection;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Connects, makes one admin call, waits for its answer and disconnects. */
    <T> T admin(Function<Admin, CompletableFuture<T>> call) {
        try (TributaryClient client = connection.connect()) {
            return await(call.apply(client.admin()));
        }
    }

    /**
     * Deletes each of {@code ids} in the given order, printing a line for each; a failure stops
     * there (naming the one it failed on), except {@code notFoundCode} when {@code ifExists}.
     */
    void deleteEach(List<String> ids, String noun, boolean ifExists, String notFoundCode,
            java.util.function.BiFunction<Admin, String, CompletableFuture<Void>> delete) {
        deleteEach(connection.connect(), ids, noun, ifExists, notFoundCode, delete, out());
    }

    static void deleteEach(TributaryClient connected, List<String> ids, String noun, boolean ifExists, String notFoundCode,
            java.util.function.BiFunction<Admin, String, CompletableFuture<Void>> delete, PrintWriter out) {
        try (TributaryClient client = connected) {
            for (String id : ids) {
                try {
                    await(delete.apply(client.admin(), id));
                    out.println("deleted " + noun + " " + id);
                } catch (TributaryException e) {
                    if (!ifExists || !notFoundCode.equals(e.code())) {
                        throw e;
                    }
                    out.println(noun + " " + id + " does not exist");
                }
            }
        }
    }

    static String orNone(Object value) {
        return value == null ? "-" : value.toString();
    }
}
