package dev.tributary.controlplane.identity;

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

/** A tenant's service accounts; tenant administrators of that tenant and platform administrators only. */
@Path("/v1/tenants/{tenant}/service-accounts")
@Produces(MediaType.APPLICATION_JSON)
public class ServiceAccountResource {
    private final ServiceAccountService accounts;
    private final SecurityIdentity identity;

    ServiceAccountResource(ServiceAccountService accounts, SecurityIdentity identity) {
        this.accounts = accounts;
        this.identity = identity;
    }

    /** Body of a create request. */
    @Schema(name = "ServiceAccountCreateRequest")
    public record CreateRequest(String name, String role) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Created; Location names it. The only time its secret is shown",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServiceAccount.WithSecret.class)))
    public Response create(@PathParam("tenant") String tenant, CreateRequest request) {
        AccessRules.requireTenantAdmin(identity, tenant);
        if (request == null) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST, "a JSON body with name and role is required");
        }
        ServiceAccount.WithSecret created = accounts.create(tenant, request.name(), request.role());
        return Response.created(URI.create("/v1/tenants/" + tenant + "/service-accounts/" + created.id()))
                .header("Cache-Control", "no-store").entity(created).build();
    }

    @GET
    public Page<ServiceAccount.View> list(@PathParam("tenant") String tenant, @QueryParam("pageSize") Integer pageSize,
            @QueryParam("pageToken") String pageToken) {
        AccessRules.requireTenantAdmin(identity, tenant);
        return accounts.list(tenant, PageRequest.parse(pageSize, pageToken));
    }

    @GET
    @Path("{id}")
    public ServiceAccount.View get(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        AccessRules.requireTenantAdmin(identity, tenant);
        return accounts.get(tenant, id).view();
    }

    @POST
    @Path("{id}/rotate-secret")
    @APIResponse(responseCode = "200", description = "The new secret, shown this once; the previous one no longer works",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServiceAccount.WithSecret.class)))
    public Response rotateSecret(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        AccessRules.requireTenantAdmin(identity, tenant);
        return Response.ok(accounts.rotateSecret(tenant, id)).header("Cache-Control", "no-store").build();
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Deleted; its tokens stop working")
    public Response delete(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        AccessRules.requireTenantAdmin(identity, tenant);
        accounts.delete(tenant, id);
        return Response.noContent().build();
    }
}
