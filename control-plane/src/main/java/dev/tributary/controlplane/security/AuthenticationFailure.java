package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identitypool.IssuerKeys;
import dev.tributary.controlplane.problem.ErrorCodes;
import io.quarkus.oidc.OIDCException;
import org.jose4j.jwt.consumer.InvalidJwtException;

/**
 * Why a request is not authenticated, as every listener tells the caller: a stable code and a
 * detail that is safe to show. The server's {@link AuthenticationGate} (tokens verified by
 * quarkus-oidc) and {@link BearerTokenVerifier} (tokens verified without Quarkus) both answer
 * through it, so a client sees the same code and words whichever listener it reached.
 *
 * @param code {@link ErrorCodes#UNAUTHENTICATED}, {@link ErrorCodes#TOKEN_EXPIRED} or {@link ErrorCodes#INVALID_TOKEN}
 * @param detail what to tell the caller
 */
public record AuthenticationFailure(String code, String detail) {
    /** The detail when the token's issuer could not be reached to fetch its keys. */
    static final String ISSUER_UNAVAILABLE = "the bearer token cannot be verified now: the keys of its issuer could not be fetched"
            + " (unreachable, or its TLS certificate is not trusted)";

    /** No bearer token at all (or another scheme than Bearer). */
    public static AuthenticationFailure missingToken() {
        return new AuthenticationFailure(ErrorCodes.UNAUTHENTICATED, "a bearer token is required: get one from POST /oauth2/token");
    }

    /**
     * A token that failed verification: TOKEN_EXPIRED when the expiry is the only thing wrong with
     * it, otherwise INVALID_TOKEN. The reason is told only when Tributary itself refused a token
     * that verified ({@link TributaryIdentityAugmentor.TokenRejectedException}); verifier internals
     * stay out of the answer.
     */
    public static AuthenticationFailure of(Throwable verificationFailure) {
        String code = ErrorCodes.INVALID_TOKEN;
        for (Throwable t = verificationFailure; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                code = invalid.hasExpired() && invalid.getErrorDetails().size() == 1 ? ErrorCodes.TOKEN_EXPIRED : ErrorCodes.INVALID_TOKEN;
                break;
            }
        }
        if (ErrorCodes.TOKEN_EXPIRED.equals(code)) {
            return new AuthenticationFailure(code, "the bearer token has expired: get a new one from POST /oauth2/token");
        }
        for (Throwable t = verificationFailure; t != null; t = t.getCause()) {
            if (t instanceof IssuerKeys.UnavailableException || t instanceof OIDCException) {
                // quarkus-oidc could not set up the issuer's tenant (discovery or JWKS not fetched), or the
                // data-plane verifier could not fetch the keys: the token cannot be checked, so it is refused.
                return new AuthenticationFailure(code, ISSUER_UNAVAILABLE);
            }
        }
        for (Throwable t = verificationFailure; t != null; t = t.getCause()) {
            if (t instanceof TributaryIdentityAugmentor.TokenRejectedException rejected) {
                return new AuthenticationFailure(code, "the bearer token is not valid here: " + rejected.getMessage());
            }
        }
        return new AuthenticationFailure(code,
                "the bearer token is not valid here (bad signature, unknown issuer or key, wrong audience, or malformed)");
    }

    /** How gRPC carries it: the status description, before the code's trailer. */
    public String grpcDescription() {
        return code + ": " + detail;
    }
}
