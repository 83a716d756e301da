package dev.tributary.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Calls get their bearer token in the order they asked for it, also when they all wait for one
 * being fetched (a CompletableFuture would run their callbacks newest first): grpc-java opens a
 * call's stream when its metadata is applied, and the server orders a partition's calls by stream.
 */
class BearerCallCredentialsTest {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** A token source whose next fetch the test completes by hand. */
    private static final class ManualTokens implements TokenSource {
        CompletableFuture<String> current = new CompletableFuture<>();

        @Override
        public CompletableFuture<String> token() {
            return current;
        }

        @Override
        public void invalidate(String token) {}
    }

    /** Records what each call got, in the order the calls got it. */
    private static CallCredentials.MetadataApplier applier(int call, List<String> applied) {
        return new CallCredentials.MetadataApplier() {
            @Override
            public void apply(Metadata headers) {
                applied.add(call + " " + headers.get(AUTHORIZATION));
            }

            @Override
            public void fail(Status status) {
                applied.add(call + " failed " + status.getCode());
            }
        };
    }

    @Test
    void callsWaitingForAFetchGetTheTokenInTheOrderTheyAsked() {
        ManualTokens tokens = new ManualTokens();
        BearerCallCredentials credentials = new BearerCallCredentials(tokens);
        List<String> applied = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            credentials.applyRequestMetadata(null, Runnable::run, applier(i, applied));
        }
        assertEquals(List.of(), applied, "no token yet");
        tokens.current.complete("t1");
        assertEquals(100, applied.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + " Bearer t1", applied.get(i));
        }
        // With the token there, a call gets it at once.
        credentials.applyRequestMetadata(null, Runnable::run, applier(100, applied));
        assertEquals("100 Bearer t1", applied.get(100));
    }

    @Test
    void aCallStartedDuringARefreshWaitsBehindTheCallsBeforeIt() {
        ManualTokens tokens = new ManualTokens();
        BearerCallCredentials credentials = new BearerCallCredentials(tokens);
        List<String> applied = new ArrayList<>();
        CompletableFuture<String> refresh = tokens.current;
        credentials.applyRequestMetadata(null, Runnable::run, applier(0, applied));
        // Another source answers at once (say the token came back from a cache): still after call 0.
        tokens.current = CompletableFuture.completedFuture("cached");
        credentials.applyRequestMetadata(null, Runnable::run, applier(1, applied));
        assertEquals(List.of(), applied);
        refresh.complete("fresh");
        assertEquals(List.of("0 Bearer fresh", "1 Bearer cached"), applied);
    }

    @Test
    void aFailedFetchFailsItsCallsWithUnauthenticatedInOrder() {
        ManualTokens tokens = new ManualTokens();
        BearerCallCredentials credentials = new BearerCallCredentials(tokens);
        List<String> applied = new ArrayList<>();
        credentials.applyRequestMetadata(null, Runnable::run, applier(0, applied));
        credentials.applyRequestMetadata(null, Runnable::run, applier(1, applied));
        tokens.current.completeExceptionally(new TributaryException(TributaryException.TRANSPORT, "token endpoint down"));
        assertEquals(List.of("0 failed UNAUTHENTICATED", "1 failed UNAUTHENTICATED"), applied);
        tokens.current = CompletableFuture.completedFuture("t2");
        credentials.applyRequestMetadata(null, Runnable::run, applier(2, applied));
        assertTrue(applied.get(2).equals("2 Bearer t2"), applied.toString());
    }
}
