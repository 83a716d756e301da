package dev.tributary.controlplane.tenant;

import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AccessRules;
import io.quarkus.security.identity.SecurityIdentity;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Tenants; platform administrators only. */
@Path("/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {
    private final TenantService tenants;
    private final SecurityIdentity identity;

    TenantResource(TenantService tenants, SecurityIdentity identity) {
        this.tenants = tenants;
        this.identity = identity;
    }

    /** Body of a create request. */
    @Schema(name = "TenantCreateRequest")
    public record CreateRequest(String id) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Created; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Tenant.class)))
    public Response create(CreateRequest request) {
        AccessRules.requirePlatformAdmin(identity);
        if (request == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with the tenant id is required");
        }
        Tenant tenant = tenants.create(request.id());
        return Response.created(URI.create("/v1/tenants/" + tenant.id())).entity(tenant).build();
    }

    @GET
    public Page<Tenant> list(@QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        AccessRules.requirePlatformAdmin(identity);
        return tenants.list(PageRequest.parse(pageSize, pageToken));
    }

    @GET
    @Path("{tenant}")
    public Tenant get(@PathParam("tenant") String id) {
        AccessRules.requirePlatformAdmin(identity);
        return tenants.get(id);
    }

    @DELETE
    @Path("{tenant}")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("tenant") String id) {
        AccessRules.requirePlatformAdmin(identity);
        tenants.delete(id);
        return Response.noContent().build();
    }
}
