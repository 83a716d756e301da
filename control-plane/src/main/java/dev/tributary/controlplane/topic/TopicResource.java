package dev.tributary.controlplane.topic;

import dev.tributary.acl.AclOperation;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.tenant.TenantService;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicPage;
import dev.tributary.topic.TopicStore;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's topics: a thin layer over {@link TopicStore}. Authorization ({@link TopicAccess})
 * runs before anything is read. Config changes use optimistic concurrency: GET and every write
 * answer with an {@code ETag} (a digest of the topic's id, partition count and config); a PATCH
 * with {@code If-Match} is applied only if the topic is still that version, checked inside the
 * updating transaction, else 412 PRECONDITION_FAILED and nothing changes.
 */
@Path("/v1/tenants/{tenant}/topics")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TopicResource {
    private final TopicStore topics;
    private final PartitionLog log;
    private final TenantService tenants;
    private final SecurityIdentity identity;
    private final Event<TopicChanged> changes;
    private final TopicAccess access;

    TopicResource(TopicStore topics, PartitionLog log, TenantService tenants, SecurityIdentity identity,
            Event<TopicChanged> changes, TopicAccess access) {
        this.topics = topics;
        this.log = log;
        this.tenants = tenants;
        this.identity = identity;
        this.changes = changes;
        this.access = access;
    }

    /** Body of a create request; partitions default to 1, config to none. */
    @Schema(name = "TopicCreateRequest")
    public record CreateRequest(String name, Integer partitions, Map<String, String> config) {}

    /** Body of a config change: keys to set, keys to return to their defaults. */
    public record ConfigPatch(Map<String, String> set, List<String> reset) {}

    /** Body of a partition increase: the new total count. */
    public record PartitionsRequest(Integer count) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Created; Location names it, ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicView.class)))
    public Response create(@PathParam("tenant") String tenant, CreateRequest request) {
        Caller caller = access.requireTenantPrincipal(identity, tenant);
        if (request == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with the topic name is required");
        }
        TopicStore.validateName(request.name()); // the ACL check needs a name; checking its shape reveals nothing
        access.requireCreate(caller, tenant, request.name());
        tenants.get(tenant); // TENANT_NOT_FOUND rather than a topic in a tenant that does not exist
        TopicMetadata topic = topics.create(tenant, request.name(), request.partitions() == null ? 1 : request.partitions(),
                request.config() == null ? Map.of() : request.config());
        changes.fire(new TopicChanged(tenant, topic, TopicChanged.Kind.CREATED));
        return Response.created(URI.create("/v1/tenants/" + tenant + "/topics/" + topic.name()))
                .header("ETag", etag(topic)).entity(TopicView.of(topic, null)).build();
    }

    @GET
    public Page<TopicView> list(@PathParam("tenant") String tenant, @QueryParam("pageSize") Integer pageSize,
            @QueryParam("pageToken") String pageToken) {
        Caller caller = access.requireTenantPrincipal(identity, tenant);
        PageRequest page = PageRequest.parse(pageSize, null);
        String after = decodePageToken(pageToken);
        tenants.get(tenant);
        // Only the topics the caller may describe (as Kafka lists them): read on until the page is full.
        List<TopicView> items = new ArrayList<>();
        while (true) {
            TopicPage found = topics.list(tenant, after, page.pageSize());
            for (int i = 0; i < found.topics().size(); i++) {
                TopicMetadata t = found.topics().get(i);
                if (access.mayDescribe(caller, tenant, t.name())) {
                    items.add(TopicView.of(t, null));
                    if (items.size() == page.pageSize()) {
                        boolean more = i < found.topics().size() - 1 || found.nextAfter() != null;
                        return new Page<>(items, more ? encodePageToken(t.name()) : null);
                    }
                }
            }
            if (found.nextAfter() == null) {
                return new Page<>(items, null);
            }
            after = found.nextAfter();
        }
    }

    @GET
    @Path("{name}")
    @APIResponse(responseCode = "200", description = "The topic with its partitions' offsets; ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicView.class)))
    public Response get(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        access.require(identity, tenant, AclOperation.DESCRIBE, name);
        TopicMetadata topic = topics.get(tenant, name);
        List<TopicView.PartitionView> partitions = new ArrayList<>(topic.partitions());
        for (int p = 0; p < topic.partitions(); p++) {
            PartitionOffsets offsets = log.offsets(tenant, topic.id(), p);
            partitions.add(new TopicView.PartitionView(p, offsets.logStartOffset(), offsets.highWatermark()));
        }
        return Response.ok(TopicView.of(topic, partitions)).header("ETag", etag(topic)).build();
    }

    @PATCH
    @Path("{name}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @APIResponse(responseCode = "200", description = "The changed topic; ETag is its new version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicView.class)))
    public Response updateConfig(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @HeaderParam("If-Match") String ifMatch, ConfigPatch patch) {
        access.require(identity, tenant, AclOperation.ALTER_CONFIGS, name);
        if (patch == null || (patch.set() == null && patch.reset() == null)) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with 'set' and/or 'reset' is required");
        }
        TopicMetadata updated = topics.updateConfig(tenant, name, patch.set() == null ? Map.of() : patch.set(),
                patch.reset() == null ? List.of() : patch.reset(), current -> {
                    if (ifMatch != null && !ifMatch.trim().equals("*") && !ifMatch.trim().equals(etag(current))) {
                        throw new ProblemException(412, ErrorCodes.PRECONDITION_FAILED, "topic '" + name
                                + "' changed since it was read (If-Match " + ifMatch.trim() + ", now " + etag(current) + ")");
                    }
                });
        return Response.ok(TopicView.of(updated, null)).header("ETag", etag(updated)).build();
    }

    @POST
    @Path("{name}/partitions")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The grown topic; ETag is its new version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TopicView.class)))
    public Response addPartitions(@PathParam("tenant") String tenant, @PathParam("name") String name, PartitionsRequest request) {
        access.require(identity, tenant, AclOperation.ALTER, name);
        if (request == null || request.count() == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with the new partition 'count' is required");
        }
        TopicMetadata grown = topics.addPartitions(tenant, name, request.count());
        changes.fire(new TopicChanged(tenant, grown, TopicChanged.Kind.PARTITIONS_ADDED));
        return Response.ok(TopicView.of(grown, null)).header("ETag", etag(grown)).build();
    }

    @DELETE
    @Path("{name}")
    @APIResponse(responseCode = "204", description = "Deleted, with its records")
    public Response delete(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        access.require(identity, tenant, AclOperation.DELETE, name);
        TopicMetadata deleted = topics.delete(tenant, name);
        changes.fire(new TopicChanged(tenant, deleted, TopicChanged.Kind.DELETED));
        return Response.noContent().build();
    }

    /** A strong ETag of what a config change may depend on: id (so a re-created topic differs), partitions, config. */
    static String etag(TopicMetadata topic) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((topic.id() + "/" + topic.partitions() + "/" + topic.config().overrides()).getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(sha.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encodePageToken(String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodePageToken(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        String name;
        try {
            name = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            name = "";
        }
        if (!TopicStore.NAME.matcher(name).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_PAGE_TOKEN, "pageToken is not a token this server returned");
        }
        return name;
    }
}
