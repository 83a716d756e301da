package dev.tributary.group;

/** One group in a listing: id, state, live member count, group epoch. */
public record GroupListing(String groupId, GroupState state, int members, int groupEpoch) {}
