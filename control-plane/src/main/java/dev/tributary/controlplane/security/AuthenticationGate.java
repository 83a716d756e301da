package dev.tributary.controlplane.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.Problem;
import io.quarkus.oidc.OIDCException;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Every request on the listener, REST and gRPC alike, needs a valid bearer token, except the
 * {@link #OPEN_PATHS}. Runs on the router right after Quarkus's (proactive) authentication and
 * before its authorization, so that it also covers paths no resource declares (404s, metrics, and
 * every gRPC service, present and future), and answers in the caller's protocol:
 * problem+json with a stable code for HTTP, a gRPC status UNAUTHENTICATED with the same code in
 * the {@value #GRPC_ERROR_CODE_HEADER} header for gRPC. The {@code quarkus.http.auth.permission}
 * rules in the server's configuration say the same and stay as a second line of defence.
 */
@ApplicationScoped
public class AuthenticationGate {
    /**
     * Open without a token: the probes (an orchestrator has no token), and what a client needs to
     * obtain and verify tokens (the discovery document, the JWKS, the token endpoint, which
     * authenticates with client credentials itself). Exact, normalized paths only.
     */
    public static final Set<String> OPEN_PATHS = Set.of(
            "/q/health/live", "/q/health/ready",
            "/.well-known/openid-configuration", "/oauth2/jwks", "/oauth2/token");
    /** gRPC response header carrying the stable error code. */
    public static final String GRPC_ERROR_CODE_HEADER = "tributary-error-code";
    /** After Quarkus's authentication handler (-200), before its authorization handler (-100). */
    static final int ROUTE_ORDER = -120;
    private static final int GRPC_UNAUTHENTICATED = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    void install(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::requireAuthentication);
        // Before Quarkus's own failure handlers, which would answer 401 with an empty body.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::onFailure);
    }

    private void requireAuthentication(RoutingContext context) {
        if (context.response().closed()) {
            // The client reset the stream (cancel, deadline) while its token was being verified:
            // nobody is listening, and reading or answering a reset HTTP/2 stream would make the
            // server write on a stream that no longer exists, which ends the whole connection.
            return;
        }
        if (OPEN_PATHS.contains(context.normalizedPath())) {
            context.next();
            return;
        }
        SecurityIdentity identity = context.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        if (identity == null || identity.isAnonymous()) {
            reject(context, AuthenticationFailure.missingToken());
            return;
        }
        context.next();
    }

    private void onFailure(RoutingContext context) {
        if (context.response().closed()) {
            // As above: no answer can reach a reset stream, and writing one would end the connection.
            return;
        }
        Throwable failure = context.failure();
        // OIDCException: quarkus-oidc could not set up the tenant that verifies the token (an identity
        // pool's issuer unreachable, or its certificate not trusted): the token cannot be accepted.
        if (!(failure instanceof AuthenticationException || causedByOidcSetup(failure)) || context.response().ended()) {
            context.next();
            return;
        }
        reject(context, AuthenticationFailure.of(failure));
    }

    private static boolean causedByOidcSetup(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OIDCException) {
                return true;
            }
        }
        return false;
    }

    private static void reject(RoutingContext context, AuthenticationFailure failure) {
        HttpServerResponse response = context.response();
        if (isGrpc(context)) {
            // A trailers-only gRPC response: grpc-java reports it as Status.UNAUTHENTICATED.
            response.setStatusCode(200)
                    .putHeader("content-type", "application/grpc")
                    .putHeader("grpc-status", Integer.toString(GRPC_UNAUTHENTICATED))
                    .putHeader("grpc-message", percentEncode(failure.grpcDescription()))
                    .putHeader(GRPC_ERROR_CODE_HEADER, failure.code())
                    .end();
            return;
        }
        String error = ErrorCodes.UNAUTHENTICATED.equals(failure.code()) ? "" : ", error=\"invalid_token\"";
        response.setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"tributary\"" + error)
                .putHeader("content-type", Problem.MEDIA_TYPE)
                .putHeader("cache-control", "no-store")
                .end(json(Problem.of(401, Problem.reasonPhrase(401), failure.code(), failure.detail(), null)));
    }

    private static boolean isGrpc(RoutingContext context) {
        String type = context.request().getHeader("content-type");
        return type != null && type.startsWith("application/grpc");
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec); spaces stay readable. */
    private static String percentEncode(String message) {
        return URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String json(Problem problem) {
        try {
            return JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
