package dev.tributary.ownership;

/**
 * A registered data-plane pod as stored.
 *
 * @param podId stable name of the pod
 * @param endpoint where producers and consumers reach it (host:port)
 * @param session random number chosen at each registration; ownerships name the session, so a pod
 *     that restarts under the same id does not inherit the ownerships of its previous life
 * @param heartbeatSeq incremented by every heartbeat; observers time how long it stays unchanged
 * @param leaseMillis the lease length the pod promised to renew within
 * @param heartbeatWallMillis the pod's wall clock at its last heartbeat: informational only, never
 *     compared with another pod's clock
 */
public record PodInfo(String podId, String endpoint, long session, long heartbeatSeq, long leaseMillis,
        long heartbeatWallMillis) {}
