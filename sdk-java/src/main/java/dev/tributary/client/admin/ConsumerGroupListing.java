package dev.tributary.client.admin;

/**
 * A consumer group in a listing.
 *
 * @param groupId its id
 * @param state its state as the server names it (e.g. {@code empty}, {@code stable}, {@code reconciling})
 * @param members how many members it has
 */
public record ConsumerGroupListing(String groupId, String state, int members) {}
