package dev.tributary.cli;

import static dev.tributary.cli.TributaryCli.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.Tenant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary tenant ...}: tenants, for platform administrators. */
@Command(name = "tenant", mixinStandardHelpOptions = true,
        description = {"Create, list, describe and delete tenants.",
                "Platform administrators only: pass their profile, e.g. --profile data/platform-admin.properties."},
        subcommands = {TenantCommand.Create.class, TenantCommand.ListTenants.class, TenantCommand.Describe.class,
                TenantCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class TenantCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a tenant command is required: create, list, describe or delete");
    }

    /** What the tenant subcommands share: the command line and {@code --profile} (no --tenant: they address none). */
    abstract static class TenantCall implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ProfileOption profile;

        <T> T admin(Function<Admin, CompletableFuture<T>> call) {
            try (TributaryClient client = profile.connect()) {
                return await(call.apply(client.admin()));
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.", footer = ExitCodes.HELP_FOOTER)
    static final class Create extends TenantCall {
        @Parameters(paramLabel = "ID", description = "Lowercase letters, digits and '-', 1 to 63 characters, starting with a letter.")
        String id;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            Tenant t = admin(a -> a.createTenant(id));
            if (output.json()) {
                OutputOption.printJson(spec.commandLine().getOut(), toJson(t));
            } else {
                spec.commandLine().getOut().println("created tenant " + t.id());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenants.", footer = ExitCodes.HELP_FOOTER)
    static final class ListTenants extends TenantCall {
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<Tenant> tenants = admin(Admin::listTenants);
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                tenants.forEach(t -> array.add(toJson(t)));
                OutputOption.printJson(spec.commandLine().getOut(), array);
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "CREATED"});
            tenants.forEach(t -> rows.add(new String[] {t.id(), AdminCall.orNone(t.createdAt())}));
            OutputOption.printTable(spec.commandLine().getOut(), rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a tenant.", footer = ExitCodes.HELP_FOOTER)
    static final class Describe extends TenantCall {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            Tenant t = admin(a -> a.describeTenant(id));
            if (output.json()) {
                OutputOption.printJson(spec.commandLine().getOut(), toJson(t));
            } else {
                spec.commandLine().getOut().println("id:       " + t.id());
                spec.commandLine().getOut().println("created:  " + AdminCall.orNone(t.createdAt()));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete tenants with everything they own: topics and their records, service accounts, ACLs, groups.",
            footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends TenantCall {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Option(names = "--if-exists", description = "Succeed for tenants that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            AdminCall.deleteEach(profile.connect(), ids, "tenant", ifExists, "TENANT_NOT_FOUND", Admin::deleteTenant,
                    spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }

    static ObjectNode toJson(Tenant t) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        node.put("id", t.id());
        node.put("createdAt", t.createdAt() == null ? null : t.createdAt().toString());
        return node;
    }
}
