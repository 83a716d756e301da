package dev.tributary.dataplane.group;

import dev.tributary.dataplane.DataPlaneConfig;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.storage.KeyValueStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The consumer-group coordinator of core (a plain class) as a bean. It keeps no state of its own
 * (every call is a store transaction), so one per process serves every tenant and group; it reads
 * topics and offsets through its own stateless TopicStore and PartitionLog, not the shared beans.
 */
@Singleton
public class GroupBeans {
    @Produces
    @Singleton
    GroupCoordinator groupCoordinator(KeyValueStore store, DataPlaneConfig config) {
        long interval = config.groups().heartbeatInterval().toMillis();
        if (interval < 1 || interval >= GroupCoordinator.MIN_SESSION_TIMEOUT_MILLIS * 60L) {
            // A member told to wait longer than any plausible session timeout would always expire.
            throw new IllegalArgumentException("tributary.data-plane.groups.heartbeat-interval must be in [1ms, 60s], not "
                    + config.groups().heartbeatInterval());
        }
        return new GroupCoordinator(store, System::currentTimeMillis, (int) interval);
    }
}
