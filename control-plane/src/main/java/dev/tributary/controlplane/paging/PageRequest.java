package dev.tributary.controlplane.paging;

import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * {@code ?pageSize=&pageToken=} of a list request. Lists are ordered by id; the page token is the
 * last id of the previous page (base64url), so pages stay consistent while items are added or
 * removed between requests. Callers must not interpret it.
 *
 * @param pageSize 1 to {@link #MAX_PAGE_SIZE}, default {@link #DEFAULT_PAGE_SIZE}
 * @param after the id after which the page starts; null for the first page
 */
public record PageRequest(int pageSize, String after) {
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;
    private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,63}");

    public static PageRequest parse(Integer pageSize, String pageToken) {
        int size = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_REQUEST,
                    "pageSize must be between 1 and " + MAX_PAGE_SIZE + ", was " + size);
        }
        if (pageToken == null || pageToken.isEmpty()) {
            return new PageRequest(size, null);
        }
        String after;
        try {
            after = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            after = "";
        }
        if (!ID.matcher(after).matches()) {
            throw ProblemException.badRequest(ErrorCodes.INVALID_PAGE_TOKEN, "pageToken is not a token this server returned");
        }
        return new PageRequest(size, after);
    }

    public static String tokenAfter(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }
}
