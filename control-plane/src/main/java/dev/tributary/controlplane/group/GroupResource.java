package dev.tributary.controlplane.group;

import dev.tributary.acl.AclOperation;
import dev.tributary.controlplane.group.GroupViews.GroupDetail;
import dev.tributary.controlplane.group.GroupViews.GroupMemberView;
import dev.tributary.controlplane.group.GroupViews.GroupSummary;
import dev.tributary.controlplane.group.GroupViews.MemberPartition;
import dev.tributary.controlplane.group.GroupViews.OffsetResetRequest;
import dev.tributary.controlplane.group.GroupViews.OffsetResetResult;
import dev.tributary.controlplane.group.GroupViews.PartitionOffset;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.Problem;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.tenant.TenantService;
import dev.tributary.group.CommittedOffset;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.group.GroupDescription;
import dev.tributary.group.GroupListing;
import dev.tributary.group.GroupState;
import dev.tributary.group.MemberState;
import dev.tributary.group.OffsetReset;
import dev.tributary.group.PartitionLag;
import dev.tributary.group.TopicPartition;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's consumer groups: a translation of the admin calls of {@link GroupCoordinator}, the
 * coordinator the data plane's gRPC GroupService uses too. Authorization ({@link GroupAccess}) runs before
 * anything is read. Resets and deletes need a group without live members (409 GROUP_NOT_EMPTY);
 * the coordinator checks that inside the transaction that writes, so a member joining at the same
 * moment either makes the reset fail or joins after it, never halfway through.
 */
@Path("/v1/tenants/{tenant}/groups")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class GroupResource {
    private static final Comparator<String> TOPIC_ORDER = Comparator.nullsLast(Comparator.naturalOrder());

    private final GroupCoordinator groups;
    private final TopicStore topics;
    private final PartitionLog log;
    private final TenantService tenants;
    private final SecurityIdentity identity;
    private final GroupAccess access;

    GroupResource(GroupCoordinator groups, TopicStore topics, PartitionLog log, TenantService tenants, SecurityIdentity identity,
            GroupAccess access) {
        this.groups = groups;
        this.topics = topics;
        this.log = log;
        this.tenants = tenants;
        this.identity = identity;
        this.access = access;
    }

    @GET
    public Page<GroupSummary> list(@PathParam("tenant") String tenant, @QueryParam("pageSize") Integer pageSize,
            @QueryParam("pageToken") String pageToken) {
        Caller caller = access.requireTenantPrincipal(identity, tenant);
        int size = PageRequest.parse(pageSize, null).pageSize();
        String after = decodePageToken(pageToken);
        tenants.get(tenant);
        // Only the groups the caller may describe (as Kafka lists them): read on until the page is full.
        // One more than the page per read tells whether another follows (the coordinator answers at most MAX_LIST_PAGE).
        int batch = Math.min(size + 1, GroupCoordinator.MAX_LIST_PAGE);
        List<GroupSummary> items = new ArrayList<>();
        while (true) {
            List<GroupListing> found = groups.listGroups(tenant, after, batch);
            for (int i = 0; i < found.size(); i++) {
                GroupListing g = found.get(i);
                if (!access.mayDescribe(caller, tenant, g.groupId())) {
                    continue;
                }
                items.add(new GroupSummary(g.groupId(), wire(g.state()), g.members()));
                if (items.size() == size) {
                    boolean more = i < found.size() - 1
                            || (found.size() == batch && !groups.listGroups(tenant, g.groupId(), 1).isEmpty());
                    return new Page<>(items, more ? encodePageToken(g.groupId()) : null);
                }
            }
            if (found.size() < batch) {
                return new Page<>(items, null);
            }
            after = found.get(found.size() - 1).groupId();
        }
    }

    @GET
    @Path("{group}")
    @APIResponse(responseCode = "200", description = "The group", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = GroupDetail.class)))
    @APIResponse(responseCode = "404", description = "GROUP_NOT_FOUND (or TENANT_NOT_FOUND)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    public GroupDetail describe(@PathParam("tenant") String tenant, @PathParam("group") String group) {
        access.require(identity, tenant, AclOperation.DESCRIBE, group);
        requireValidId(group);
        tenants.get(tenant);
        GroupDescription d = groups.describe(tenant, group);
        Map<TopicId, String> names = new HashMap<>();
        for (PartitionLag p : d.partitions()) {
            if (p.topic() != null) {
                names.put(p.topicId(), p.topic());
            }
        }
        List<GroupMemberView> members = new ArrayList<>();
        for (MemberState m : d.members()) {
            List<MemberPartition> assigned = new ArrayList<>();
            for (TopicPartition tp : m.assigned()) {
                assigned.add(new MemberPartition(names.get(tp.topicId()), tp.partition()));
            }
            assigned.sort(Comparator.comparing(MemberPartition::topic, TOPIC_ORDER).thenComparingInt(MemberPartition::partition));
            members.add(new GroupMemberView(m.memberId(), null, assigned));
        }
        List<PartitionOffset> offsets = new ArrayList<>();
        for (PartitionLag p : d.partitions()) {
            offsets.add(new PartitionOffset(p.topic(), p.partition(), known(p.committedOffset()), known(p.highWatermark()),
                    known(p.lag())));
        }
        sort(offsets);
        return new GroupDetail(d.groupId(), wire(d.state()), d.groupEpoch(), members, offsets);
    }

    @POST
    @Path("{group}/offsets:reset")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The offsets written, one per partition of the reset topics",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OffsetResetResult.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST (the detail names the field), INVALID_GROUP_ID",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "404", description = "GROUP_NOT_FOUND (no 'topics' and no such group), UNKNOWN_TOPIC; nothing moved",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "409", description = "GROUP_NOT_EMPTY: the group has live members; nothing moved",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    public OffsetResetResult resetOffsets(@PathParam("tenant") String tenant, @PathParam("group") String group,
            OffsetResetRequest request) {
        Caller caller = access.require(identity, tenant, AclOperation.READ, group);
        requireValidId(group);
        OffsetReset reset = parse(request);
        List<String> names = request.topics();
        if (names != null) {
            if (names.isEmpty() || names.contains(null)) {
                throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                        "'topics' names one or more topics; leave it out to reset every topic of the group");
            }
            access.requireTopicsRead(caller, tenant, names);
            tenants.get(tenant);
        } else {
            tenants.get(tenant);
            names = topicsOf(tenant, group);
            access.requireTopicsRead(caller, tenant, names);
        }
        List<CommittedOffset> written = groups.resetOffsets(tenant, group, names, reset);
        Map<TopicId, String> byId = new HashMap<>();
        List<PartitionOffset> offsets = new ArrayList<>(written.size());
        for (CommittedOffset o : written) {
            TopicPartition tp = o.partition();
            String name = byId.computeIfAbsent(tp.topicId(), id -> nameOf(tenant, id));
            long end = log.offsets(tenant, tp.topicId(), tp.partition()).highWatermark();
            offsets.add(new PartitionOffset(name, tp.partition(), o.offset(), end, Math.max(0, end - o.offset())));
        }
        sort(offsets);
        return new OffsetResetResult(group, offsets);
    }

    @DELETE
    @Path("{group}")
    @APIResponse(responseCode = "204", description = "Deleted, with its committed offsets")
    @APIResponse(responseCode = "404", description = "GROUP_NOT_FOUND (or TENANT_NOT_FOUND)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "409", description = "GROUP_NOT_EMPTY: the group has live members",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
    public Response delete(@PathParam("tenant") String tenant, @PathParam("group") String group) {
        access.require(identity, tenant, AclOperation.DELETE, group);
        requireValidId(group);
        tenants.get(tenant);
        groups.deleteGroup(tenant, group);
        return Response.noContent().build();
    }

    private static OffsetReset parse(OffsetResetRequest request) {
        if (request == null || request.to() == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                    "a JSON body with 'to' (earliest, latest or timestamp) is required");
        }
        if (request.timestamp() != null && !request.to().equals("timestamp")) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "'timestamp' goes only with \"to\":\"timestamp\"");
        }
        return switch (request.to()) {
            case "earliest" -> OffsetReset.earliest();
            case "latest" -> OffsetReset.latest();
            case "timestamp" -> {
                if (request.timestamp() == null || request.timestamp() < 0) {
                    throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                            "\"to\":\"timestamp\" needs 'timestamp': epoch milliseconds, not negative");
                }
                yield OffsetReset.toTimestamp(request.timestamp());
            }
            default -> throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                    "'to' must be earliest, latest or timestamp, not '" + request.to() + "'");
        };
    }

    /** The existing topics in the group's description: those it has committed offsets for (and any its members subscribe to). */
    private List<String> topicsOf(String tenant, String group) {
        Set<String> names = new LinkedHashSet<>();
        for (PartitionLag p : groups.describe(tenant, group).partitions()) {
            if (p.topic() != null) {
                names.add(p.topic());
            }
        }
        if (names.isEmpty()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "group '" + group
                    + "' has no offsets of existing topics: name the 'topics' to reset");
        }
        return List.copyOf(names);
    }

    private String nameOf(String tenant, TopicId id) {
        try {
            return topics.getById(tenant, id).name();
        } catch (LogException e) {
            return null; // deleted since the reset read it
        }
    }

    private static void sort(List<PartitionOffset> offsets) {
        offsets.sort(Comparator.comparing(PartitionOffset::topic, TOPIC_ORDER).thenComparingInt(PartitionOffset::partition));
    }

    /** Core says -1 for "unknown"; JSON says null. */
    private static Long known(long value) {
        return value < 0 ? null : value;
    }

    private static String wire(GroupState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static void requireValidId(String group) {
        if (group == null || !GroupCoordinator.ID.matcher(group).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_GROUP_ID,
                    "a group id is 1 to 249 printable ASCII characters without spaces");
        }
    }

    private static String encodePageToken(String groupId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(groupId.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodePageToken(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        String id;
        try {
            id = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            id = "";
        }
        if (!GroupCoordinator.ID.matcher(id).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_PAGE_TOKEN, "pageToken is not a token this server returned");
        }
        return id;
    }
}
