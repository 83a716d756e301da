package dev.tributary.group;

/** A group's state as reported by the admin calls. */
public enum GroupState {
    /** No live members (offsets may remain); resets and delete are allowed. */
    EMPTY,
    /** Some member still has partitions to give up or to receive. */
    RECONCILING,
    /** Every member holds exactly its target assignment at the group's assignment epoch. */
    STABLE
}
