package dev.tributary.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.admin.ServiceAccountCredentials;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary service-account ...}: the service accounts of a tenant, for its administrators and platform administrators. */
@Command(name = "service-account", mixinStandardHelpOptions = true,
        description = {"Create, list, describe, rotate the secret of, delete service accounts.",
                "Tenant administrators of the tenant and platform administrators only."},
        subcommands = {ServiceAccountCommand.Create.class, ServiceAccountCommand.ListAccounts.class, ServiceAccountCommand.Describe.class,
                ServiceAccountCommand.RotateSecret.class, ServiceAccountCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class ServiceAccountCommand implements Runnable {
    static final String SECRET_NOTE = "This is the only time the secret is shown: store it now "
            + "(as tributary.auth.client-secret in the account's profile).";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a service-account command is required: create, list, describe, "
                + "rotate-secret or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a service account and print its client id and secret (shown only this once).",
            footer = ExitCodes.HELP_FOOTER)
    static final class Create extends AdminCall {
        @Parameters(paramLabel = "NAME", description = "Unique in the tenant.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = ServiceAccount.MEMBER,
                description = "member (default: may do what the ACLs allow) or tenant-admin (manages the tenant).")
        String role;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            ServiceAccountCredentials created = admin(a -> a.createServiceAccount(name, role));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(created.account()).put("clientSecret", created.clientSecret()));
                return ExitCodes.OK;
            }
            ServiceAccount account = created.account();
            out().println("created service account " + account.name() + " in tenant " + account.tenant() + " with role "
                    + account.role());
            printCredentials(out(), created);
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's service accounts.",
            footer = ExitCodes.HELP_FOOTER)
    static final class ListAccounts extends AdminCall {
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<ServiceAccount> accounts = admin(Admin::listServiceAccounts);
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                accounts.forEach(a -> array.add(toJson(a)));
                OutputOption.printJson(out(), array);
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "NAME", "ROLE", "CREATED", "SECRET-ROTATED"});
            for (ServiceAccount a : accounts) {
                rows.add(new String[] {a.id(), a.name(), a.role(), AdminCall.orNone(a.createdAt()), AdminCall.orNone(a.secretRotatedAt())});
            }
            OutputOption.printTable(out(), rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a service account (never its secret).",
            footer = ExitCodes.HELP_FOOTER)
    static final class Describe extends AdminCall {
        @Parameters(paramLabel = "ID", description = "The account's id (sa-...), which is also its client id.")
        String id;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            ServiceAccount a = admin(admin -> admin.describeServiceAccount(id));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(a));
                return ExitCodes.OK;
            }
            PrintWriter out = out();
            out.println("id:              " + a.id());
            out.println("client id:       " + a.clientId());
            out.println("name:            " + a.name());
            out.println("tenant:          " + a.tenant());
            out.println("role:            " + a.role());
            out.println("created:         " + AdminCall.orNone(a.createdAt()));
            out.println("secret rotated:  " + AdminCall.orNone(a.secretRotatedAt()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate-secret", mixinStandardHelpOptions = true,
            description = {"Give a service account a new secret and print it (shown only this once).",
                    "The old secret stops working at once; tokens already issued stay valid until they expire."},
            footer = ExitCodes.HELP_FOOTER)
    static final class RotateSecret extends AdminCall {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            ServiceAccountCredentials rotated = admin(a -> a.rotateSecret(id));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(rotated.account()).put("clientSecret", rotated.clientSecret()));
                return ExitCodes.OK;
            }
            out().println("rotated the secret of service account " + rotated.account().name() + "; the old secret no longer works");
            printCredentials(out(), rotated);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete service accounts; their tokens stop working.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends AdminCall {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Option(names = "--if-exists", description = "Succeed for accounts that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            deleteEach(ids, "service account", ifExists, "SERVICE_ACCOUNT_NOT_FOUND", Admin::deleteServiceAccount);
            return ExitCodes.OK;
        }
    }

    /** The client id and the secret, once, set apart so that nobody misses that it will not be shown again. */
    private static void printCredentials(PrintWriter out, ServiceAccountCredentials c) {
        out.println();
        out.println("  client id:      " + c.clientId());
        out.println("  client secret:  " + c.clientSecret());
        out.println();
        out.println(SECRET_NOTE);
    }

    static ObjectNode toJson(ServiceAccount a) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        node.put("id", a.id());
        node.put("clientId", a.clientId());
        node.put("tenant", a.tenant());
        node.put("name", a.name());
        node.put("role", a.role());
        node.put("createdAt", a.createdAt() == null ? null : a.createdAt().toString());
        node.put("secretRotatedAt", a.secretRotatedAt() == null ? null : a.secretRotatedAt().toString());
        return node;
    }
}
