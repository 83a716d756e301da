package dev.tributary.controlplane.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code POST /oauth2/token}: the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) for
 * service accounts. Client authentication by HTTP Basic ({@code client_secret_basic}) or form
 * parameters ({@code client_secret_post}), not both. Errors are RFC 6749 section 5.2 JSON, not
 * problem+json, because that is what OAuth clients parse.
 */
@Path("/oauth2/token")
public class TokenResource {
    static final String CLIENT_CREDENTIALS = "client_credentials";

    private final ServiceAccountService accounts;
    private final TokenIssuer issuer;

    TokenResource(ServiceAccountService accounts, TokenIssuer issuer) {
        this.accounts = accounts;
        this.issuer = issuer;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(MultivaluedMap<String, String> form, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        for (var parameter : form.entrySet()) {
            if (parameter.getValue().size() > 1) {
                return error(400, "invalid_request", "parameter " + parameter.getKey() + " is repeated");
            }
        }
        String grantType = form.getFirst("grant_type");
        if (grantType == null || grantType.isEmpty()) {
            return error(400, "invalid_request", "grant_type is missing");
        }
        if (!CLIENT_CREDENTIALS.equals(grantType)) {
            return error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
        }
        String clientId;
        String secret;
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (basic) {
            if (form.containsKey("client_secret")) {
                return error(400, "invalid_request", "client credentials are given both in the Authorization header and the body");
            }
            Optional<String[]> credentials = decodeBasic(authorization.substring(6).trim());
            if (credentials.isEmpty()) {
                return error(401, "invalid_client", "malformed HTTP Basic credentials");
            }
            clientId = credentials.get()[0];
            secret = credentials.get()[1];
            String formClientId = form.getFirst("client_id");
            if (formClientId != null && !formClientId.equals(clientId)) {
                return error(400, "invalid_request", "client_id in the body differs from the Authorization header");
            }
        } else {
            clientId = form.getFirst("client_id");
            secret = form.getFirst("client_secret");
            if (clientId == null || clientId.isEmpty() || secret == null || secret.isEmpty()) {
                return error(401, "invalid_client", "client authentication is required: HTTP Basic, or client_id and client_secret in the body");
            }
        }
        Optional<ServiceAccount> account = accounts.authenticate(clientId, secret);
        if (account.isEmpty()) {
            // The same answer for an unknown client and a wrong secret.
            return error(401, "invalid_client", "unknown client or wrong secret");
        }
        ServiceAccount principal = account.get();
        IssuedToken token = issuer.issue(new TokenSubject(principal.id(), principal.tenant(),
                dev.tributary.controlplane.security.Roles.claimFor(principal.role())));
        long expiresIn = issuer.tokenLifetime().toSeconds();
        return noStore(Response.ok(new TokenResponse(token.accessToken(), "Bearer", expiresIn)));
    }

    /** A body that is not a form: RFC 6749 requires application/x-www-form-urlencoded. */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response notAForm() {
        return error(400, "invalid_request", "the request body must be application/x-www-form-urlencoded");
    }

    /** RFC 6749 2.3.1: id and secret are form-encoded, then joined with ':' and base64-encoded. */
    private static Optional<String[]> decodeBasic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0 || colon == decoded.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new String[] {
                URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Response error(int status, String error, String description) {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new TokenError(error, description));
        if (status == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"tributary\"");
        }
        return noStore(response);
    }

    private static Response noStore(Response.ResponseBuilder response) {
        return response.header(HttpHeaders.CACHE_CONTROL, "no-store").header("Pragma", "no-cache").build();
    }

    /** RFC 6749 5.1: a successful answer. */
    public record TokenResponse(
            @JsonProperty("access_token") String accessToken,
            @JsonProperty("token_type") String tokenType,
            @JsonProperty("expires_in") long expiresIn) {}

    /** RFC 6749 5.2: an error answer. */
    public record TokenError(
            @JsonProperty("error") String error,
            @JsonProperty("error_description") String errorDescription) {}
}
