package dev.tributary.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.IdentityPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary identity-pool ...}: a tenant's external OIDC issuers, for its administrators and platform administrators. */
@Command(name = "identity-pool", mixinStandardHelpOptions = true,
        description = {"Manage a tenant's identity pools: external OIDC issuers.",
                "The tenant accepts the tokens of its pools' issuers.",
                "Tenant administrators of the tenant and platform administrators only."},
        subcommands = {IdentityPoolCommand.Create.class, IdentityPoolCommand.ListPools.class, IdentityPoolCommand.Describe.class,
                IdentityPoolCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class IdentityPoolCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "an identity-pool command is required: create, list, describe or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an identity pool. A token from ISSUER for AUDIENCE then authenticates the principal "
                    + "NAME:<value of the principal claim> of this tenant."},
            footer = {"%nExample:", "  bin/tributary identity-pool create corp --issuer https://idp.example/realms/corp \\",
                    "      --audience tributary --admin-claim groups --admin-value tributary-admins", ExitCodes.HELP_FOOTER})
    static final class Create extends AdminCall {
        @Parameters(paramLabel = "NAME", description = "[a-z0-9][a-z0-9-]{0,62}: the prefix of the pool's principals.")
        String name;

        @Option(names = "--issuer", required = true, paramLabel = "URL", description = "The issuer (the tokens' iss); one pool per "
                + "issuer in the cluster.")
        String issuer;

        @Option(names = "--audience", required = true, paramLabel = "AUD", description = "The aud the tokens must carry.")
        String audience;

        @Option(names = "--principal-claim", paramLabel = "CLAIM", defaultValue = "sub",
                description = "The claim that names the principal (default: ${DEFAULT-VALUE}).")
        String principalClaim;

        @Option(names = "--admin-claim", paramLabel = "CLAIM",
                description = "A claim that makes tenant administrators of the principals whose value is one of --admin-value.")
        String adminClaim;

        @Option(names = "--admin-value", paramLabel = "VALUE", description = "A value of --admin-claim that makes a tenant "
                + "administrator (repeatable).")
        List<String> adminValues = new ArrayList<>();

        @Option(names = "--jwks-uri", paramLabel = "URL", description = "Where the issuer's keys are (default: from its discovery "
                + "document).")
        String jwksUri;

        @Option(names = "--issuer-ca-file", paramLabel = "PEM", description = "The CA that issued the issuer's TLS certificate "
                + "(default: the server's default trust).")
        Path issuerCaFile;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            if (!adminValues.isEmpty() && adminClaim == null) {
                throw new ParameterException(spec.commandLine(), "--admin-value needs --admin-claim");
            }
            String caPem = null;
            if (issuerCaFile != null) {
                try {
                    caPem = Files.readString(issuerCaFile, StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), "cannot read --issuer-ca-file " + issuerCaFile + ": " + e);
                }
            }
            IdentityPool pool = new IdentityPool(name, issuer, audience, principalClaim, adminClaim, adminValues, jwksUri, caPem, null);
            IdentityPool created = admin(a -> a.createIdentityPool(pool));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(created));
            } else {
                out().println("created identity pool " + created.name() + " for issuer " + created.issuer() + "; its principals are "
                        + created.name() + ":<" + created.principalClaim() + ">");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's identity pools.",
            footer = ExitCodes.HELP_FOOTER)
    static final class ListPools extends AdminCall {
        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<IdentityPool> pools = admin(Admin::listIdentityPools);
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                pools.forEach(p -> array.add(toJson(p)));
                OutputOption.printJson(out(), array);
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "ISSUER", "AUDIENCE", "PRINCIPAL-CLAIM", "ADMINS"});
            for (IdentityPool p : pools) {
                rows.add(new String[] {p.name(), AdminCall.orNone(p.issuer()), AdminCall.orNone(p.audience()),
                        AdminCall.orNone(p.principalClaim()), admins(p)});
            }
            OutputOption.printTable(out(), rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show an identity pool.", footer = ExitCodes.HELP_FOOTER)
    static final class Describe extends AdminCall {
        @Parameters(paramLabel = "NAME")
        String name;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            IdentityPool p = admin(a -> a.describeIdentityPool(name));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(p));
                return ExitCodes.OK;
            }
            PrintWriter out = out();
            out.println("name:             " + p.name());
            out.println("issuer:           " + AdminCall.orNone(p.issuer()));
            out.println("audience:         " + AdminCall.orNone(p.audience()));
            out.println("principal claim:  " + AdminCall.orNone(p.principalClaim()));
            out.println("admins:           " + admins(p));
            out.println("jwks uri:         " + (p.jwksUri() == null ? "(from the discovery document)" : p.jwksUri()));
            out.println("issuer CA:        " + (p.issuerCaPem() == null ? "(the server's default trust)" : "(PEM given)"));
            if (p.etag() != null) {
                out.println("etag:             " + p.etag());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete identity pools; their principals' tokens are no longer accepted.", footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends AdminCall {
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Option(names = "--if-exists", description = "Succeed for pools that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            deleteEach(names, "identity pool", ifExists, "IDENTITY_POOL_NOT_FOUND", Admin::deleteIdentityPool);
            return ExitCodes.OK;
        }
    }

    private static String admins(IdentityPool p) {
        return p.adminClaim() == null || p.adminValues().isEmpty() ? "none" : p.adminClaim() + " in " + String.join(",", p.adminValues());
    }

    static ObjectNode toJson(IdentityPool p) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        node.put("name", p.name());
        node.put("issuer", p.issuer());
        node.put("audience", p.audience());
        node.put("principalClaim", p.principalClaim());
        node.put("adminClaim", p.adminClaim());
        ArrayNode values = node.putArray("adminValues");
        p.adminValues().forEach(values::add);
        node.put("jwksUri", p.jwksUri());
        node.put("issuerCaPem", p.issuerCaPem());
        if (p.etag() != null) {
            node.put("etag", p.etag());
        }
        return node;
    }
}
