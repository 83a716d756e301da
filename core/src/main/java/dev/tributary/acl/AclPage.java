package dev.tributary.acl;

import java.util.List;

/**
 * One page of a tenant's bindings in id order.
 *
 * @param bindings the bindings of this page
 * @param nextAfter pass as {@code afterId} to get the next page; null when this was the last
 */
public record AclPage(List<AclBinding> bindings, String nextAfter) {}
