package dev.tributary.schema.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.schema.CompatibilityLevel;
import dev.tributary.schema.CompatibilityResult;
import dev.tributary.schema.Mode;
import dev.tributary.schema.RegisteredSchema;
import dev.tributary.schema.SchemaErrorCode;
import dev.tributary.schema.SchemaInput;
import dev.tributary.schema.SchemaReference;
import dev.tributary.schema.SchemaRegistry;
import dev.tributary.schema.SchemaRegistryException;
import dev.tributary.schema.SubjectVersion;
import dev.tributary.schema.VersionRef;
import dev.tributary.schema.VersionedSchema;
import dev.tributary.schema.provider.AvroSchemaProvider;
import dev.tributary.acl.AclOperation;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The Confluent Schema Registry REST API under {@value #BASE_PATH}, so that a Confluent client
 * given {@code schema.registry.url=https://host:port/schema-registry} (the profile's {@code
 * tributary.schema-registry.url}) finds every endpoint where it expects it. Thin: the tenant comes
 * from the token ({@link SchemaRegistryAccess}), the work is done by {@link SchemaRegistry}, and
 * every answer, errors included, is Confluent's JSON ({@code {"error_code":40401,"message":...}}).
 * Request bodies are read as bytes and parsed by {@link ConfluentJson}: any content type is
 * accepted (Confluent's clients send application/vnd.schemaregistry.v1+json, curl users
 * application/json or application/octet-stream).
 */
@Path(SchemaRegistryResource.BASE_PATH)
@Blocking
public class SchemaRegistryResource {
    /** Where the registry is served on the listener; the profile's URL is the endpoint plus this. */
    public static final String BASE_PATH = "/schema-registry";
    private static final Logger LOG = Logger.getLogger(SchemaRegistryResource.class);

    private final SchemaRegistry registry;
    private final SchemaRegistryAccess access;
    private final SecurityIdentity identity;
    private final int maxBodyBytes;

    SchemaRegistryResource(SchemaRegistry registry, SchemaRegistryAccess access, SecurityIdentity identity) {
        this.registry = registry;
        this.access = access;
        this.identity = identity;
        this.maxBodyBytes = maxBodyBytes(registry.settings().maxSchemaBytes());
    }

    /**
     * The largest request body read: room for the largest schema escaped as a JSON string (each
     * character at most six: a unicode escape) plus references. Quarkus's own body limit
     * ({@code quarkus.http.limits.max-body-size}, 10 MiB) applies before this one.
     */
    static int maxBodyBytes(int maxSchemaBytes) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 6L * maxSchemaBytes + 65_536);
    }

    // ---------------------------------------------------------------- response shapes

    /** A version with its schema; type and references only when not the defaults, as Confluent renders them. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record VersionView(String subject, int version, int id, String schemaType, List<SchemaReference> references, String schema) {
        static VersionView of(VersionedSchema v) {
            RegisteredSchema s = v.schema();
            return new VersionView(v.subject(), v.version().version(), s.id(), typeOrNull(s), s.references(), s.schema());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record SchemaView(String schemaType, List<SchemaReference> references, String schema) {}

    record SubjectVersionView(String subject, int version) {}

    record IdView(int id) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CompatibilityView(@JsonProperty("is_compatible") boolean isCompatible, List<String> messages) {}

    record CompatibilityLevelView(String compatibilityLevel) {}

    record CompatibilityUpdateView(String compatibility) {}

    record ModeView(String mode) {}

    private static String typeOrNull(RegisteredSchema s) {
        return AvroSchemaProvider.TYPE.equals(s.type()) ? null : s.type();
    }

    // ---------------------------------------------------------------- root, types

    @GET
    public Response root(@Context HttpHeaders headers) {
        access.tenantPrincipal(identity);
        return ConfluentJson.ok(Map.of(), headers);
    }

    @GET
    @Path("schemas/types")
    public Response types(@Context HttpHeaders headers) {
        access.tenantPrincipal(identity);
        return ConfluentJson.ok(registry.types(), headers);
    }

    // ---------------------------------------------------------------- subjects

    @GET
    @Path("subjects")
    public Response subjects(@QueryParam("deleted") boolean deleted, @QueryParam("subjectPrefix") String prefix,
            @Context HttpHeaders headers) {
        Caller caller = access.tenantPrincipal(identity);
        return ConfluentJson.ok(registry.subjects(caller.tenant(), deleted, prefix).stream()
                .filter(subject -> access.mayRead(caller, subject)).toList(), headers);
    }

    @GET
    @Path("subjects/{subject}/versions")
    public Response versions(@PathParam("subject") String subject, @QueryParam("deleted") boolean deleted,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        return ConfluentJson.ok(registry.versions(tenant, subject, deleted), headers);
    }

    @GET
    @Path("subjects/{subject}/versions/{version}")
    public Response version(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("deleted") boolean deleted, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        return ConfluentJson.ok(VersionView.of(registry.version(tenant, subject, VersionRef.parse(version), deleted)), headers);
    }

    /** The schema text alone, as stored (canonical form). */
    @GET
    @Path("subjects/{subject}/versions/{version}/schema")
    public Response versionSchema(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("deleted") boolean deleted, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        VersionedSchema v = registry.version(tenant, subject, VersionRef.parse(version), deleted);
        return Response.ok(v.schema().schema(), ConfluentJson.responseType(headers)).build();
    }

    @GET
    @Path("subjects/{subject}/versions/{version}/referencedby")
    public Response referencedBy(@PathParam("subject") String subject, @PathParam("version") String version,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        return ConfluentJson.ok(registry.referencedBy(tenant, subject, VersionRef.parse(version)), headers);
    }

    @POST
    @Path("subjects/{subject}/versions")
    public Response register(@PathParam("subject") String subject, @QueryParam("normalize") boolean normalize, byte[] body,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.WRITE, subject).tenant();
        JsonNode request = ConfluentJson.object(body, maxBodyBytes);
        SchemaInput input = ConfluentJson.schemaInput(request);
        Integer id = ConfluentJson.integer(request, "id");
        Integer version = ConfluentJson.integer(request, "version");
        // Confluent clients send id -1 and version 0 for "none".
        SubjectVersion registered = registry.register(tenant, subject, input, id == null || id == -1 ? null : id,
                version == null || version == 0 || version == -1 ? null : version);
        return ConfluentJson.ok(new IdView(registered.id()), headers);
    }

    /** Whether a schema is registered under the subject: the version that registers it. */
    @POST
    @Path("subjects/{subject}")
    public Response lookup(@PathParam("subject") String subject, @QueryParam("deleted") boolean deleted,
            @QueryParam("normalize") boolean normalize, byte[] body, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        SchemaInput input = ConfluentJson.schemaInput(ConfluentJson.object(body, maxBodyBytes));
        return ConfluentJson.ok(VersionView.of(registry.lookup(tenant, subject, input, deleted)), headers);
    }

    @DELETE
    @Path("subjects/{subject}/versions/{version}")
    public Response deleteVersion(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("permanent") boolean permanent, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.DELETE, subject).tenant();
        return ConfluentJson.ok(registry.deleteVersion(tenant, subject, VersionRef.parse(version), permanent), headers);
    }

    @DELETE
    @Path("subjects/{subject}")
    public Response deleteSubject(@PathParam("subject") String subject, @QueryParam("permanent") boolean permanent,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.DELETE, subject).tenant();
        return ConfluentJson.ok(registry.deleteSubject(tenant, subject, permanent), headers);
    }

    // ---------------------------------------------------------------- schemas by id

    @GET
    @Path("schemas/ids/{id}")
    public Response schema(@PathParam("id") String id, @Context HttpHeaders headers) {
        RegisteredSchema s = readableSchema(id);
        return ConfluentJson.ok(new SchemaView(typeOrNull(s), s.references(), s.schema()), headers);
    }

    @GET
    @Path("schemas/ids/{id}/schema")
    public Response schemaText(@PathParam("id") String id, @Context HttpHeaders headers) {
        return Response.ok(readableSchema(id).schema(), ConfluentJson.responseType(headers)).build();
    }

    @GET
    @Path("schemas/ids/{id}/versions")
    public Response schemaVersions(@PathParam("id") String id, @QueryParam("deleted") boolean deleted, @Context HttpHeaders headers) {
        return ConfluentJson.ok(readableVersionsOf(id, deleted).stream()
                .map(v -> new SubjectVersionView(v.subject(), v.version())).toList(), headers);
    }

    @GET
    @Path("schemas/ids/{id}/subjects")
    public Response schemaSubjects(@PathParam("id") String id, @QueryParam("deleted") boolean deleted, @Context HttpHeaders headers) {
        return ConfluentJson.ok(readableVersionsOf(id, deleted).stream()
                .map(SubjectVersion::subject).distinct().toList(), headers);
    }

    /** The schema {@code id} names, if the caller may read a subject that registers it (soft-deleted versions included). */
    private RegisteredSchema readableSchema(String id) {
        Caller caller = access.tenantPrincipal(identity);
        int schemaId = schemaId(id);
        requireReadableId(caller, schemaId, registry.versionsOf(caller.tenant(), schemaId, true));
        return registry.schema(caller.tenant(), schemaId);
    }

    /** The versions registering {@code id} that the caller may read; FORBIDDEN when it may read none of its subjects. */
    private List<SubjectVersion> readableVersionsOf(String id, boolean deleted) {
        Caller caller = access.tenantPrincipal(identity);
        int schemaId = schemaId(id);
        List<SubjectVersion> all = registry.versionsOf(caller.tenant(), schemaId, true);
        requireReadableId(caller, schemaId, all);
        return all.stream().filter(v -> (deleted || !v.deleted()) && access.mayRead(caller, v.subject())).toList();
    }

    private void requireReadableId(Caller caller, int id, List<SubjectVersion> versions) {
        if (versions.stream().map(SubjectVersion::subject).distinct().noneMatch(subject -> access.mayRead(caller, subject))) {
            throw SchemaRegistryAccess.forbidden("principal " + caller.principalId() + " may not read any subject that registers"
                    + " schema " + id);
        }
    }

    /** Ids are positive 32-bit integers; anything else names no schema. */
    private static int schemaId(String text) {
        try {
            int id = Integer.parseInt(text);
            if (id >= 1) {
                return id;
            }
        } catch (NumberFormatException e) {
            // not found, below
        }
        throw new SchemaRegistryException(SchemaErrorCode.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
    }

    // ---------------------------------------------------------------- compatibility

    @POST
    @Path("compatibility/subjects/{subject}/versions/{version}")
    public Response checkVersion(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("verbose") boolean verbose, byte[] body, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        VersionRef ref = VersionRef.parse(version);
        SchemaInput input = ConfluentJson.schemaInput(ConfluentJson.object(body, maxBodyBytes));
        return compatibility(registry.checkCompatibility(tenant, subject, ref, input), verbose, headers);
    }

    /** Against the versions the subject's level names: the latest, or all of them for transitive levels. */
    @POST
    @Path("compatibility/subjects/{subject}/versions")
    public Response checkVersions(@PathParam("subject") String subject, @QueryParam("verbose") boolean verbose, byte[] body,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        SchemaInput input = ConfluentJson.schemaInput(ConfluentJson.object(body, maxBodyBytes));
        return compatibility(registry.checkCompatibility(tenant, subject, null, input), verbose, headers);
    }

    private static Response compatibility(CompatibilityResult result, boolean verbose, HttpHeaders headers) {
        return ConfluentJson.ok(new CompatibilityView(result.compatible(), verbose ? result.messages() : null), headers);
    }

    // ---------------------------------------------------------------- config

    @GET
    @Path("config")
    public Response tenantConfig(@Context HttpHeaders headers) {
        String tenant = access.tenantPrincipal(identity).tenant();
        return ConfluentJson.ok(new CompatibilityLevelView(registry.tenantCompatibility(tenant).name()), headers);
    }

    @PUT
    @Path("config")
    public Response setTenantConfig(byte[] body, @Context HttpHeaders headers) {
        String tenant = access.requireTenantConfig(identity).tenant();
        CompatibilityLevel level = CompatibilityLevel.parse(compatibilityOf(ConfluentJson.object(body, maxBodyBytes)));
        return ConfluentJson.ok(new CompatibilityUpdateView(registry.setTenantCompatibility(tenant, level).name()), headers);
    }

    @DELETE
    @Path("config")
    public Response resetTenantConfig(@Context HttpHeaders headers) {
        String tenant = access.requireTenantConfig(identity).tenant();
        return ConfluentJson.ok(new CompatibilityLevelView(registry.resetTenantCompatibility(tenant).name()), headers);
    }

    @GET
    @Path("config/{subject}")
    public Response subjectConfig(@PathParam("subject") String subject, @QueryParam("defaultToGlobal") boolean defaultToGlobal,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        CompatibilityLevel level = defaultToGlobal ? registry.effectiveCompatibility(tenant, subject)
                : registry.subjectCompatibility(tenant, subject).orElseThrow(() -> new SchemaRegistryException(
                        SchemaErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED, "Subject '" + subject
                                + "' does not have subject-level compatibility configured"));
        return ConfluentJson.ok(new CompatibilityLevelView(level.name()), headers);
    }

    @PUT
    @Path("config/{subject}")
    public Response setSubjectConfig(@PathParam("subject") String subject, byte[] body, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.ALTER_CONFIGS, subject).tenant();
        CompatibilityLevel level = CompatibilityLevel.parse(compatibilityOf(ConfluentJson.object(body, maxBodyBytes)));
        return ConfluentJson.ok(new CompatibilityUpdateView(registry.setSubjectCompatibility(tenant, subject, level).name()), headers);
    }

    @DELETE
    @Path("config/{subject}")
    public Response deleteSubjectConfig(@PathParam("subject") String subject, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.ALTER_CONFIGS, subject).tenant();
        return ConfluentJson.ok(new CompatibilityLevelView(registry.deleteSubjectCompatibility(tenant, subject).name()), headers);
    }

    /** Confluent's update request names the level "compatibility"; "compatibilityLevel" (what GET answers) is accepted too. */
    private static String compatibilityOf(JsonNode body) {
        String level = ConfluentJson.string(body, "compatibility");
        return level != null ? level : ConfluentJson.string(body, "compatibilityLevel");
    }

    // ---------------------------------------------------------------- mode

    @GET
    @Path("mode")
    public Response tenantMode(@Context HttpHeaders headers) {
        String tenant = access.tenantPrincipal(identity).tenant();
        return ConfluentJson.ok(new ModeView(registry.tenantMode(tenant).name()), headers);
    }

    @PUT
    @Path("mode")
    public Response setTenantMode(@QueryParam("force") boolean force, byte[] body, @Context HttpHeaders headers) {
        String tenant = access.requireTenantConfig(identity).tenant();
        Mode mode = Mode.parse(ConfluentJson.string(ConfluentJson.object(body, maxBodyBytes), "mode"));
        return ConfluentJson.ok(new ModeView(registry.setTenantMode(tenant, mode, force).name()), headers);
    }

    @GET
    @Path("mode/{subject}")
    public Response subjectMode(@PathParam("subject") String subject, @QueryParam("defaultToGlobal") boolean defaultToGlobal,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.READ, subject).tenant();
        Mode mode = defaultToGlobal ? registry.effectiveMode(tenant, subject)
                : registry.subjectMode(tenant, subject).orElseThrow(() -> new SchemaRegistryException(
                        SchemaErrorCode.SUBJECT_MODE_NOT_CONFIGURED, "Subject '" + subject + "' does not have subject-level mode configured"));
        return ConfluentJson.ok(new ModeView(mode.name()), headers);
    }

    @PUT
    @Path("mode/{subject}")
    public Response setSubjectMode(@PathParam("subject") String subject, @QueryParam("force") boolean force, byte[] body,
            @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.ALTER_CONFIGS, subject).tenant();
        Mode mode = Mode.parse(ConfluentJson.string(ConfluentJson.object(body, maxBodyBytes), "mode"));
        return ConfluentJson.ok(new ModeView(registry.setSubjectMode(tenant, subject, mode, force).name()), headers);
    }

    @DELETE
    @Path("mode/{subject}")
    public Response deleteSubjectMode(@PathParam("subject") String subject, @Context HttpHeaders headers) {
        String tenant = access.require(identity, AclOperation.ALTER_CONFIGS, subject).tenant();
        return ConfluentJson.ok(new ModeView(registry.deleteSubjectMode(tenant, subject).name()), headers);
    }

    // ---------------------------------------------------------------- anything else under the base path

    @GET
    @Path("{unknown: .+}")
    @Operation(hidden = true)
    public Response unknownGet(@PathParam("unknown") String path) {
        throw notFound(path);
    }

    @POST
    @Path("{unknown: .+}")
    @Operation(hidden = true)
    public Response unknownPost(@PathParam("unknown") String path) {
        throw notFound(path);
    }

    @PUT
    @Path("{unknown: .+}")
    @Operation(hidden = true)
    public Response unknownPut(@PathParam("unknown") String path) {
        throw notFound(path);
    }

    @DELETE
    @Path("{unknown: .+}")
    @Operation(hidden = true)
    public Response unknownDelete(@PathParam("unknown") String path) {
        throw notFound(path);
    }

    private static SchemaRegistryException notFound(String path) {
        return new SchemaRegistryException(SchemaErrorCode.NOT_FOUND, "HTTP 404 Not Found: no schema registry endpoint "
                + BASE_PATH + "/" + path);
    }

    // ---------------------------------------------------------------- errors, in Confluent's shape (this class only)

    @ServerExceptionMapper
    Response refused(SchemaRegistryException e, HttpHeaders headers) {
        return ConfluentJson.error(e, headers);
    }

    @ServerExceptionMapper
    Response storageFailed(StorageException e, HttpHeaders headers) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Schema registry storage failure %s", id);
        SchemaErrorCode code = e.code() == StorageErrorCode.TRANSACTION_TIMED_OUT ? SchemaErrorCode.OPERATION_TIMEOUT
                : SchemaErrorCode.STORE_ERROR;
        return ConfluentJson.error(new SchemaRegistryException(code, "Error in the backend data store (" + e.code().name()
                + ", error id " + id + ")"), headers);
    }

    @ServerExceptionMapper
    Response unexpected(RuntimeException e, HttpHeaders headers) {
        StorageException storage = StorageException.unwrap(e);
        if (storage != null) {
            return storageFailed(storage, headers);
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Schema registry request failed unexpectedly: %s", id);
        return ConfluentJson.error(new SchemaRegistryException(SchemaErrorCode.INTERNAL, "Internal Server Error (error id " + id + ")"),
                headers);
    }
}
