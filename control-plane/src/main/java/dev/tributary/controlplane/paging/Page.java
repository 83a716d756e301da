package dev.tributary.controlplane.paging;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a list. {@code nextPageToken} is absent on the last page; pass it as {@code
 * ?pageToken=} to get the next one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String nextPageToken) {}
