package dev.tributary.client.admin;

import java.util.List;
import java.util.Optional;

/**
 * One page of a list the server pages. Pass {@link #nextPageToken()} to the same list method to
 * get the next page; it is empty on the last one. Tokens are opaque.
 *
 * @param items the items of this page, in the server's order (by id or name)
 * @param nextPageToken the token of the next page, or null on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
    public Page {
        items = List.copyOf(items);
        nextPageToken = nextPageToken == null || nextPageToken.isEmpty() ? null : nextPageToken;
    }

    /** The token of the next page, empty on the last page. */
    public Optional<String> next() {
        return Optional.ofNullable(nextPageToken);
    }
}
