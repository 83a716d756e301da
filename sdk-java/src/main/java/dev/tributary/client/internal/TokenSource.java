package dev.tributary.client.internal;

import java.util.concurrent.CompletableFuture;

/** Bearer tokens for calls: fetched and refreshed as needed. */
public interface TokenSource {
    /** A token valid for a while yet (cached; fetched anew shortly before it expires). */
    CompletableFuture<String> token();

    /** Forget the cached token (the server said it expired or is invalid): the next call fetches a new one. */
    void invalidate(String token);

    /** A fixed token (tests, tools that obtained one elsewhere); never refreshed. */
    static TokenSource fixed(String token) {
        CompletableFuture<String> done = CompletableFuture.completedFuture(token);
        return new TokenSource() {
            @Override
            public CompletableFuture<String> token() {
                return done;
            }

            @Override
            public void invalidate(String t) {}
        };
    }
}
