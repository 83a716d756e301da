package dev.tributary.controlplane.identitypool;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.paging.Page;
import dev.tributary.controlplane.paging.PageRequest;
import dev.tributary.controlplane.security.AccessRules;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's identity pools (external OIDC issuers); tenant administrators of that tenant and
 * platform administrators only, checked before anything is read. GET, POST and PUT answer with an
 * {@code ETag}; a PUT with {@code If-Match} replaces the pool only if it is still that version.
 */
@Path("/v1/tenants/{tenant}/identity-pools")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class IdentityPoolResource {
    private final IdentityPoolService pools;
    private final TokenIssuer issuer;
    private final SecurityIdentity identity;

    IdentityPoolResource(IdentityPoolService pools, TokenIssuer issuer, SecurityIdentity identity) {
        this.pools = pools;
        this.issuer = issuer;
        this.identity = identity;
    }

    /**
     * The body of POST and PUT, for the OpenAPI document: the body is read as JSON and checked
     * field by field by {@link IdentityPoolSpec} (unknown fields are refused).
     */
    @Schema(name = "IdentityPoolRequest", description = "An identity pool: an external OIDC issuer whose tokens stand for principals"
            + " of the tenant. In a PUT the name comes from the path, and GET's id, createdAt and updatedAt may be sent back.")
    public record Request(
            @Schema(description = "[a-z0-9][a-z0-9-]{0,62}, unique in the tenant; the prefix of its principals' ids", required = true)
            String name,
            @Schema(description = "The exact iss of its tokens: an https URL, unique in the cluster", required = true) String issuer,
            @Schema(description = "What the tokens' aud must contain", required = true) String audience,
            @Schema(description = "The claim whose value names the principal (pool:value)", defaultValue = "sub") String principalClaim,
            @Schema(description = "A claim (string or array of strings) that makes tenant administrators; needs adminValues")
            String adminClaim,
            @Schema(description = "The values of adminClaim that make a tenant administrator") List<String> adminValues,
            @Schema(description = "https URL of the issuer's keys; default: from its discovery document") String jwksUri,
            @Schema(description = "PEM certificates trusted (instead of the JDK's CAs) for the issuer's TLS") String issuerCaPem) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Created; Location names it, ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IdentityPool.View.class)))
    public Response create(@PathParam("tenant") String tenant,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Request.class))) JsonNode body) {
        AccessRules.requireTenantAdmin(identity, tenant);
        IdentityPool pool = pools.create(tenant, IdentityPoolSpec.parse(body, null, issuer.issuer()));
        return Response.created(URI.create("/v1/tenants/" + tenant + "/identity-pools/" + pool.name()))
                .header("ETag", pool.etag()).entity(pool.view()).build();
    }

    @GET
    public Page<IdentityPool.View> list(@PathParam("tenant") String tenant, @QueryParam("pageSize") Integer pageSize,
            @QueryParam("pageToken") String pageToken) {
        AccessRules.requireTenantAdmin(identity, tenant);
        return pools.list(tenant, PageRequest.parse(pageSize, pageToken));
    }

    @GET
    @Path("{name}")
    @APIResponse(responseCode = "200", description = "The pool; ETag is its version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IdentityPool.View.class)))
    public Response get(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        AccessRules.requireTenantAdmin(identity, tenant);
        IdentityPool pool = pools.get(tenant, name);
        return Response.ok(pool.view()).header("ETag", pool.etag()).build();
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The pool as replaced; ETag is its new version. Takes effect at once",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IdentityPool.View.class)))
    public Response replace(@PathParam("tenant") String tenant, @PathParam("name") String name,
            @HeaderParam("If-Match") String ifMatch,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Request.class))) JsonNode body) {
        AccessRules.requireTenantAdmin(identity, tenant);
        // The path names an existing pool or none: a malformed name is simply not found.
        IdentityPoolSpec spec = IdentityPoolSpec.NAME.matcher(name).matches()
                ? IdentityPoolSpec.parse(body, name, issuer.issuer()) : null;
        IdentityPool pool = spec == null ? pools.get(tenant, name) : pools.replace(tenant, name, spec, ifMatch);
        return Response.ok(pool.view()).header("ETag", pool.etag()).build();
    }

    @DELETE
    @Path("{name}")
    @APIResponse(responseCode = "204", description = "Deleted; its tokens stop working")
    public Response delete(@PathParam("tenant") String tenant, @PathParam("name") String name) {
        AccessRules.requireTenantAdmin(identity, tenant);
        pools.delete(tenant, name);
        return Response.noContent().build();
    }
}
