package dev.tributary.controlplane.quota;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.tenant.TenantService;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaErrorCode;
import dev.tributary.quota.QuotaException;
import dev.tributary.quota.QuotaLimit;
import dev.tributary.quota.QuotaStore;
import dev.tributary.quota.TenantQuota;
import dev.tributary.topic.TopicStore;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * A tenant's quota. Platform administrators set ({@code PUT}) and reset ({@code DELETE}, back to
 * {@code tributary.quota.defaults.*}) it; the tenant's administrators and platform administrators
 * read it, with its use. Authorization runs before anything is read, so a tenant administrator can
 * neither raise its own quota nor learn anything of another tenant's. GET and PUT answer with an
 * {@code ETag} of the limits; a PUT or DELETE with {@code If-Match} applies only if the limits are
 * still that version, checked inside the updating transaction (412 PRECONDITION_FAILED otherwise).
 * A change applies on this node at once, on other nodes within {@code tributary.quota.cache-interval}.
 */
@Path("/v1/tenants/{tenant}/quota")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class QuotaResource {
    private final QuotaStore quotas;
    private final TopicStore topics;
    private final QuotaEnforcer enforcer;
    private final TenantService tenants;
    private final SecurityIdentity identity;

    QuotaResource(QuotaStore quotas, TopicStore topics, QuotaEnforcer enforcer, TenantService tenants, SecurityIdentity identity) {
        this.quotas = quotas;
        this.topics = topics;
        this.enforcer = enforcer;
        this.tenants = tenants;
        this.identity = identity;
    }

    @GET
    @APIResponse(responseCode = "200", description = "The limits and the use; ETag is the limits' version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QuotaView.class)))
    public Response get(@PathParam("tenant") String tenant) {
        AccessRules.requireTenantAdmin(identity, tenant);
        tenants.get(tenant);
        return answer(tenant, quotas.current(tenant));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The new limits and the use; ETag is the new version",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = QuotaView.class)))
    public Response put(@PathParam("tenant") String tenant, @HeaderParam("If-Match") String ifMatch,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = QuotaView.Limits.class))) JsonNode body) {
        requirePlatformAdmin(tenant);
        TenantQuota limits = parse(body);
        TenantService.validateId(tenant);
        // The tenant is checked in the same transaction, so a quota is never left behind in a tenant deleted meanwhile.
        QuotaStore.Current updated = quotas.put(tenant, limits, (tx, before) -> {
            TenantService.requireExists(tx, tenant);
            checkIfMatch(tenant, ifMatch, before);
        });
        return answer(tenant, updated);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "The tenant has the configured defaults again")
    public Response delete(@PathParam("tenant") String tenant, @HeaderParam("If-Match") String ifMatch) {
        requirePlatformAdmin(tenant);
        TenantService.validateId(tenant);
        quotas.reset(tenant, (tx, before) -> {
            TenantService.requireExists(tx, tenant);
            checkIfMatch(tenant, ifMatch, before);
        });
        return Response.noContent().build();
    }

    private void requirePlatformAdmin(String tenant) {
        if (!AccessRules.caller(identity).isPlatformAdmin()) {
            throw ProblemException.forbidden("only platform administrators may change the quota of tenant '" + tenant + "'");
        }
    }

    private Response answer(String tenant, QuotaStore.Current current) {
        QuotaView view = new QuotaView(QuotaView.Limits.of(current.limits()),
                QuotaView.Usage.of(topics.counts(tenant), enforcer.measureStorage(tenant), enforcer.usage(tenant)));
        return Response.ok(view).header("ETag", etag(current)).build();
    }

    private static void checkIfMatch(String tenant, String ifMatch, QuotaStore.Current before) {
        if (ifMatch != null && !ifMatch.trim().equals("*") && !ifMatch.trim().equals(etag(before))) {
            throw new ProblemException(412, ErrorCodes.PRECONDITION_FAILED, "the quota of tenant '" + tenant
                    + "' changed since it was read (If-Match " + ifMatch.trim() + ", now " + etag(before) + ")");
        }
    }

    /** A strong ETag of the limits and whether they are the tenant's own or the defaults. */
    static String etag(QuotaStore.Current current) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(((current.stored() ? "own:" : "defaults:") + current.limits().asMap()).getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(sha.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The limits object: every member one of the seven limits, a whole number in its range or null
     * (unlimited); absent members are unlimited. Anything else is INVALID_QUOTA naming the member.
     */
    static TenantQuota parse(JsonNode body) {
        String names = Arrays.stream(QuotaLimit.values()).map(QuotaLimit::jsonName).collect(Collectors.joining(", "));
        if (body == null || !body.isObject()) {
            throw new QuotaException(QuotaErrorCode.INVALID_QUOTA, "the body must be a JSON object of limits (" + names
                    + "), each a whole number or null for unlimited");
        }
        Map<QuotaLimit, Long> limits = new EnumMap<>(QuotaLimit.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            QuotaLimit limit = QuotaLimit.ofJsonName(field.getKey());
            if (limit == null) {
                throw new QuotaException(QuotaErrorCode.INVALID_QUOTA, "unknown limit '" + field.getKey() + "': the limits are "
                        + names);
            }
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            Long parsed = wholeNumber(value);
            if (parsed == null) {
                throw new QuotaException(QuotaErrorCode.INVALID_QUOTA, limit.invalidMessage(value.toString()));
            }
            limit.validate(parsed);
            limits.put(limit, parsed);
        }
        return TenantQuota.of(limits);
    }

    /** The value as a long if it is a JSON number with no fraction within long's range (1e6 counts, 1.5 and "5" do not). */
    private static Long wholeNumber(JsonNode value) {
        if (!value.isNumber()) {
            return null;
        }
        BigDecimal d = value.decimalValue();
        try {
            return d.stripTrailingZeros().scale() > 0 ? null : d.longValueExact();
        } catch (ArithmeticException tooLarge) {
            return null;
        }
    }
}
