package dev.tributary.controlplane.group;

import dev.tributary.group.GroupCoordinator;
import dev.tributary.storage.KeyValueStore;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Core's group coordinator for the REST API. The coordinator keeps no state of its own (every call
 * is a transaction on the store), so any instance serves: where the data plane runs in the same
 * application it provides the coordinator its gRPC service uses, and this default steps aside.
 */
@Singleton
public class GroupBeans {
    @Produces
    @Singleton
    @DefaultBean
    GroupCoordinator groupCoordinator(KeyValueStore store) {
        return new GroupCoordinator(store);
    }
}
