package dev.tributary.client.internal;

import dev.tributary.client.TributaryException;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Adds {@code authorization: Bearer <token>} to every call, fetching the token without blocking
 * gRPC threads. Calls get their token in the order they asked for it, also when they wait for
 * one being fetched: grpc-java opens a call's stream when its metadata is applied, and the
 * server appends a partition's Produce calls in the order their streams were opened.
 */
final class BearerCallCredentials extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final TokenSource tokens;
    // Guarded by this: calls waiting for their metadata, in the order they asked.
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private boolean applying;

    private record Waiting(CompletableFuture<String> token, MetadataApplier applier) {}

    BearerCallCredentials(TokenSource tokens) {
        this.tokens = tokens;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        CompletableFuture<String> token = tokens.token();
        synchronized (this) {
            waiting.addLast(new Waiting(token, applier));
        }
        if (token.isDone()) {
            applyReady();
        } else {
            token.whenComplete((t, e) -> applyReady());
        }
    }

    /** Applies the waiting calls from the front, in order, as far as their tokens are there. */
    private void applyReady() {
        while (true) {
            Waiting next;
            synchronized (this) {
                if (applying) {
                    return; // the thread applying loops again and sees what changed
                }
                next = waiting.peekFirst();
                if (next == null || !next.token().isDone()) {
                    return;
                }
                waiting.pollFirst();
                applying = true;
            }
            try {
                apply(next);
            } finally {
                synchronized (this) {
                    applying = false;
                }
            }
        }
    }

    private static void apply(Waiting call) {
        String token;
        try {
            token = call.token().join();
        } catch (RuntimeException failure) {
            TributaryException e = Errors.translate(failure);
            call.applier().fail(Status.UNAUTHENTICATED.withDescription("no token: " + e.getMessage()).withCause(e));
            return;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        call.applier().apply(headers);
    }
}
