package dev.tributary.controlplane.acl;

import dev.tributary.acl.AclAuthorizer;
import dev.tributary.acl.AclBinding;
import dev.tributary.acl.AclFilter;
import dev.tributary.acl.AclPage;
import dev.tributary.acl.AclResourceType;
import dev.tributary.acl.AclStore;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.tenant.TenantService;
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
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's ACL bindings: a thin layer over {@link AclStore}. Administrators of the tenant and
 * platform administrators manage them (checked before anything is read: anyone else gets 403
 * FORBIDDEN and learns nothing). After a change this node's cached copy of the tenant's ACLs is
 * dropped before the answer; other nodes drop theirs when their watch on the tenant's ACL version
 * fires ({@link AclAuthorizer}).
 */
@Path("/v1/tenants/{tenant}/acls")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class AclResource {
    private final AclStore acls;
    private final AclAuthorizer authorizer;
    private final TenantService tenants;
    private final SecurityIdentity identity;

    AclResource(AclStore acls, AclAuthorizer authorizer, TenantService tenants, SecurityIdentity identity) {
        this.acls = acls;
        this.authorizer = authorizer;
        this.tenants = tenants;
        this.identity = identity;
    }

    /** Body of a create request: the six fields by their wire names. */
    @Schema(name = "AclCreateRequest")
    public record CreateRequest(String principal, String operation, String resourceType, String patternType,
            String resourceName, String permission) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Created; Location names it by its id, derived from the six fields",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AclView.class)))
    public Response create(@PathParam("tenant") String tenant, CreateRequest request) {
        AccessRules.requireTenantAdmin(identity, tenant);
        if (request == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_ACL, "a JSON body with principal, operation, resourceType,"
                    + " patternType, resourceName and permission is required");
        }
        AclBinding binding = AclBinding.parse(request.principal(), request.operation(), request.resourceType(),
                request.patternType(), request.resourceName(), request.permission());
        TenantService.validateId(tenant);
        // The tenant is checked in the same transaction, so an ACL is never left in a tenant deleted meanwhile.
        AclBinding created = acls.create(tenant, binding, tx -> TenantService.requireExists(tx, tenant));
        authorizer.invalidate(tenant);
        return Response.created(URI.create("/v1/tenants/" + tenant + "/acls/" + created.id())).entity(AclView.of(created)).build();
    }

    @GET
    public Page<AclView> list(@PathParam("tenant") String tenant, @QueryParam("principal") String principal,
            @QueryParam("resourceType") String resourceType, @QueryParam("resourceName") String resourceName,
            @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        AccessRules.requireTenantAdmin(identity, tenant);
        PageRequest page = PageRequest.parse(pageSize, pageToken);
        if (page.after() != null && !AclBinding.ID.matcher(page.after()).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_PAGE_TOKEN, "pageToken is not a token this server returned");
        }
        AclResourceType type = null;
        if (resourceType != null && !resourceType.isEmpty()) {
            type = AclResourceType.fromWire(resourceType);
            if (type == null) {
                throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "resourceType must be one of tenant, topic, group,"
                        + " subject, transactional-id, not '" + resourceType + "'");
            }
        }
        tenants.get(tenant);
        AclFilter filter = new AclFilter(emptyToNull(principal), type, emptyToNull(resourceName));
        AclPage found = acls.list(tenant, filter, page.after(), page.pageSize());
        List<AclView> items = found.bindings().stream().map(AclView::of).toList();
        return new Page<>(items, found.nextAfter() == null ? null : PageRequest.tokenAfter(found.nextAfter()));
    }

    @GET
    @Path("{id}")
    public AclView get(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        AccessRules.requireTenantAdmin(identity, tenant);
        TenantService.validateId(tenant);
        return AclView.of(acls.get(tenant, id));
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Deleted; every node stops applying it once its cache is dropped")
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        AccessRules.requireTenantAdmin(identity, tenant);
        TenantService.validateId(tenant);
        acls.delete(tenant, id);
        authorizer.invalidate(tenant);
        return Response.noContent().build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
