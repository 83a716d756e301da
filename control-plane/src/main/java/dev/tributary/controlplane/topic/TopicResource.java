package dev.tributary.controlplane.topic;

import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
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

    TopicResource(TopicStore topics, PartitionLog log, TenantService tenants, SecurityIdentity identity,
            Event<TopicChanged> changes) {
        this.topics = topics;
        this.log = log;
        this.tenants = tenants;
        this.identity = identity;
        this.changes = changes;
    }

    /** Body of a create request; partitions default to 1, config to none. */
    public record CreateRequest(String name, Integer partitions, Map<String, String> config) {}

    /** Body of a config change: keys to set, keys to return to their defaults. */
    public record ConfigPatch(Map<String, String> set, List<String> reset) {}

    /** Body of a partition increase: the new total count. */
    public record PartitionsRequest(Integer count) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@PathParam("tenant") String tenant, CreateRequest request) {
        TopicAccess.require(identity, tenant, TopicAccess.Operation.CREATE);
        if (request == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with the topic name is required");
        }
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
        TopicAccess.require(identity, tenant, TopicAccess.Operation.DESCRIBE);
        PageRequest page = PageRequest.parse(pageSize, null);
        String after = decodePageToken(pageToken);
        tenants.get(tenant);
        TopicPage found = topics.list(tenant, after, page.pageSize());
        List<TopicView> items = new ArrayList<>();
        found.topics().forEach(t -> items.add(TopicView.of(t, null)));
        return new Page<>(items, found.nextAfter() == null ? null : encodePageToken(found.nextAfter()));
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        TopicAccess.require(identity, tenant, TopicAccess.Operation.DESCRIBE);
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
    public Response updateConfig(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @HeaderParam("If-Match") String ifMatch, ConfigPatch patch) {
        TopicAccess.require(identity, tenant, TopicAccess.Operation.ALTER);
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
    public Response addPartitions(@PathParam("tenant") String tenant, @PathParam("name") String name, PartitionsRequest request) {
        TopicAccess.require(identity, tenant, TopicAccess.Operation.ALTER);
        if (request == null || request.count() == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with the new partition 'count' is required");
        }
        TopicMetadata grown = topics.addPartitions(tenant, name, request.count());
        changes.fire(new TopicChanged(tenant, grown, TopicChanged.Kind.PARTITIONS_ADDED));
        return Response.ok(TopicView.of(grown, null)).header("ETag", etag(grown)).build();
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        TopicAccess.require(identity, tenant, TopicAccess.Operation.DELETE);
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
