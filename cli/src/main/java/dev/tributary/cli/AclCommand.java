package dev.tributary.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.AclBinding;
import dev.tributary.client.admin.AclFilter;
import dev.tributary.client.admin.AclOperation;
import dev.tributary.client.admin.AclPatternType;
import dev.tributary.client.admin.AclPermission;
import dev.tributary.client.admin.AclResourceType;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.NewAcl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary acl ...}: the ACL bindings of a tenant, for its administrators and platform administrators. */
@Command(name = "acl", mixinStandardHelpOptions = true,
        description = {"Create, list and delete a tenant's ACL bindings.",
                "Deny by default; a matching deny beats any allow; tenant administrators may do everything in their tenant.",
                "Tenant administrators of the tenant and platform administrators only."},
        subcommands = {AclCommand.Create.class, AclCommand.ListAcls.class, AclCommand.Delete.class},
        footer = ExitCodes.HELP_FOOTER)
final class AclCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "an acl command is required: create, list or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an ACL binding.",
            footer = {"%nExamples:",
                    "  bin/tributary acl create --principal sa-... --operation read --resource-type topic \\",
                    "      --resource-name orders",
                    "  bin/tributary acl create --principal '*' --operation write --resource-type topic \\",
                    "      --resource-name logs. --pattern-type prefixed",
                    ExitCodes.HELP_FOOTER})
    static final class Create extends AdminCall {
        @Option(names = "--principal", required = true, paramLabel = "PRINCIPAL",
                description = "A service account id (sa-...), POOL:VALUE for a principal of an identity pool, or * for any "
                        + "principal of the tenant.")
        String principal;

        @Option(names = "--operation", required = true, paramLabel = "OP", converter = OperationConverter.class,
                description = "all, read, write, create, delete, describe, alter, describe-configs or alter-configs.")
        AclOperation operation;

        @Option(names = "--resource-type", required = true, paramLabel = "TYPE", converter = ResourceTypeConverter.class,
                description = "tenant, topic, group, subject or transactional-id.")
        AclResourceType resourceType;

        @Option(names = "--resource-name", required = true, paramLabel = "NAME",
                description = "The resource's name, or its prefix with --pattern-type prefixed; for tenant: the tenant id or *.")
        String resourceName;

        @Option(names = "--pattern-type", paramLabel = "PATTERN", defaultValue = "literal", converter = PatternTypeConverter.class,
                description = "literal (default: exactly this name) or prefixed (every name starting with it).")
        AclPatternType patternType;

        @Option(names = "--permission", paramLabel = "PERMISSION", defaultValue = "allow", converter = PermissionConverter.class,
                description = "allow (default) or deny.")
        AclPermission permission;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            AclBinding created = admin(a -> a.createAcl(new NewAcl(principal, operation, resourceType, patternType, resourceName,
                    permission)));
            if (output.json()) {
                OutputOption.printJson(out(), toJson(created));
            } else {
                out().println("created ACL " + created.id() + ": " + summary(created));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's ACL bindings, all or those matching "
            + "the filters.", footer = ExitCodes.HELP_FOOTER)
    static final class ListAcls extends AdminCall {
        @Option(names = "--principal", paramLabel = "PRINCIPAL", description = "Only bindings naming exactly this principal.")
        String principal;

        @Option(names = "--resource-type", paramLabel = "TYPE", converter = ResourceTypeConverter.class,
                description = "Only bindings on this type of resource.")
        AclResourceType resourceType;

        @Option(names = "--resource-name", paramLabel = "NAME", description = "Only bindings whose resource name is exactly this.")
        String resourceName;

        @Mixin
        OutputOption output;

        @Override
        public Integer call() {
            List<AclBinding> acls = admin(a -> a.listAcls(new AclFilter(principal, resourceType, resourceName)));
            if (output.json()) {
                ArrayNode array = OutputOption.JSON.createArrayNode();
                acls.forEach(b -> array.add(toJson(b)));
                OutputOption.printJson(out(), array);
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE-TYPE", "PATTERN", "RESOURCE-NAME"});
            for (AclBinding b : acls) {
                rows.add(new String[] {b.id(), b.principal(), b.permission().wireName(), b.operation().wireName(),
                        b.resourceType().wireName(), b.patternType().wireName(), b.resourceName()});
            }
            OutputOption.printTable(out(), rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete ACL bindings by id (see 'acl list').",
            footer = ExitCodes.HELP_FOOTER)
    static final class Delete extends AdminCall {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Option(names = "--if-exists", description = "Succeed for bindings that do not exist.")
        boolean ifExists;

        @Override
        public Integer call() {
            deleteEach(ids, "ACL", ifExists, "ACL_NOT_FOUND", Admin::deleteAcl);
            return ExitCodes.OK;
        }
    }

    static String summary(AclBinding b) {
        return b.permission().wireName() + " " + b.principal() + " " + b.operation().wireName() + " on " + b.resourceType().wireName()
                + (b.patternType() == AclPatternType.PREFIXED ? " names starting with '" : " '") + b.resourceName() + "'";
    }

    static ObjectNode toJson(AclBinding b) {
        ObjectNode node = OutputOption.JSON.createObjectNode();
        node.put("id", b.id());
        node.put("principal", b.principal());
        node.put("operation", b.operation().wireName());
        node.put("resourceType", b.resourceType().wireName());
        node.put("patternType", b.patternType().wireName());
        node.put("resourceName", b.resourceName());
        node.put("permission", b.permission().wireName());
        return node;
    }

    /** A wire name to its constant; anything else is a usage error listing the accepted names. */
    private static <E extends Enum<E>> E convert(String value, Function<String, E> fromWire, E unknown, E[] values) {
        E e = fromWire.apply(value);
        if (e == unknown) {
            throw new CommandLine.TypeConversionException("expected one of " + Arrays.stream(values).filter(v -> v != unknown)
                    .map(Object::toString).toList() + ", not '" + value + "'");
        }
        return e;
    }

    static final class OperationConverter implements CommandLine.ITypeConverter<AclOperation> {
        @Override
        public AclOperation convert(String value) {
            return AclCommand.convert(value, AclOperation::fromWire, AclOperation.UNKNOWN, AclOperation.values());
        }
    }

    static final class ResourceTypeConverter implements CommandLine.ITypeConverter<AclResourceType> {
        @Override
        public AclResourceType convert(String value) {
            return AclCommand.convert(value, AclResourceType::fromWire, AclResourceType.UNKNOWN, AclResourceType.values());
        }
    }

    static final class PatternTypeConverter implements CommandLine.ITypeConverter<AclPatternType> {
        @Override
        public AclPatternType convert(String value) {
            return AclCommand.convert(value, AclPatternType::fromWire, AclPatternType.UNKNOWN, AclPatternType.values());
        }
    }

    static final class PermissionConverter implements CommandLine.ITypeConverter<AclPermission> {
        @Override
        public AclPermission convert(String value) {
            return AclCommand.convert(value, AclPermission::fromWire, AclPermission.UNKNOWN, AclPermission.values());
        }
    }
}
