package dev.tributary.controlplane.identity;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The issuer's metadata (OpenID Connect Discovery / RFC 8414 subset) and its JWKS; both open, they hold public keys only. */
@Path("/")
public class DiscoveryResource {
    private final TokenIssuer issuer;

    DiscoveryResource(TokenIssuer issuer) {
        this.issuer = issuer;
    }

    @GET
    @Path(".well-known/openid-configuration")
    @Produces(MediaType.APPLICATION_JSON)
    public Metadata openIdConfiguration() {
        String base = issuer.issuer();
        return new Metadata(base, base + "/oauth2/token", base + "/oauth2/jwks", List.of("client_credentials"),
                List.of("client_secret_basic", "client_secret_post"), List.of(SigningKey.ALGORITHM), List.of());
    }

    @GET
    @Path("oauth2/jwks")
    @Produces("application/jwk-set+json")
    public Response jwks() {
        // Short caching: a verifier that meets an unknown kid (a rotated-in key) refetches anyway.
        return Response.ok(issuer.jwks()).header("Cache-Control", "max-age=60").build();
    }

    public record Metadata(
            @JsonProperty("issuer") String issuer,
            @JsonProperty("token_endpoint") String tokenEndpoint,
            @JsonProperty("jwks_uri") String jwksUri,
            @JsonProperty("grant_types_supported") List<String> grantTypesSupported,
            @JsonProperty("token_endpoint_auth_methods_supported") List<String> tokenEndpointAuthMethodsSupported,
            @JsonProperty("id_token_signing_alg_values_supported") List<String> signingAlgorithms,
            @JsonProperty("response_types_supported") List<String> responseTypesSupported) {}
}
