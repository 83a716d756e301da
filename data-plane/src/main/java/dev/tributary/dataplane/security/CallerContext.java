package dev.tributary.dataplane.security;

import dev.tributary.controlplane.security.Caller;

/**
 * Where the data-plane services find the verified caller of the gRPC call they are serving. How it
 * got there depends on the listener: in the server application, quarkus-oidc verified the token and
 * the caller is an attribute of Quarkus's SecurityIdentity; on a data-plane listener of its own,
 * {@code listener.BearerTokenInterceptor} verified it and bound it to the gRPC context. Either way it is
 * bound to the thread the service method is invoked on, so read it there.
 */
@FunctionalInterface
public interface CallerContext {
    /** The caller of the call being served on this thread; null if the call carries none. */
    Caller current();
}
