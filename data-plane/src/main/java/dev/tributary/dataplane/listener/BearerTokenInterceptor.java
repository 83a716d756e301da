package dev.tributary.dataplane.listener;

import dev.tributary.controlplane.security.AuthenticationFailure;
import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.security.CallerContext;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Authentication of a {@link DataPlaneListener} (a data plane outside the server application):
 * every call must carry {@code authorization: Bearer <token>}, verified by {@link
 * BearerTokenVerifier} before the call reaches a service. A verified caller is bound to the call's gRPC {@link Context}, where
 * {@link #CALLERS} finds it for the services. A call without a valid token is closed with
 * UNAUTHENTICATED, the description {@code CODE: detail} and the code in the {@code
 * tributary-error-code} trailer: what the server's own listener answers (AuthenticationGate).
 *
 * <p>Verification reads the store, so it runs on the server's call executor, never on a transport
 * thread: grpc-java starts calls (and so runs interceptors) on that executor.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Caller> CALLER = Context.key("tributary-caller");

    /** The verified caller of the current call, as this interceptor bound it. */
    public static final CallerContext CALLERS = CALLER::get;

    private final BearerTokenVerifier verifier;

    public BearerTokenInterceptor(BearerTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller;
        try {
            caller = verifier.verifyAuthorization(headers.get(AUTHORIZATION));
        } catch (BearerTokenVerifier.Rejected rejected) {
            return reject(call, rejected.failure());
        } catch (RuntimeException e) {
            // The store could not be read: the caller is not at fault, and nothing was served.
            StatusRuntimeException status = DataPlaneErrors.toStatusException(e);
            call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, AuthenticationFailure failure) {
        Metadata trailers = new Metadata();
        trailers.put(DataPlaneErrors.ERROR_CODE_KEY, failure.code());
        call.close(Status.UNAUTHENTICATED.withDescription(failure.grpcDescription()), trailers);
        return new ServerCall.Listener<>() {};
    }
}
