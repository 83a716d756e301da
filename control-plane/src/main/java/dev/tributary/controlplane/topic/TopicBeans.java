package dev.tributary.controlplane.topic;

import dev.tributary.log.PartitionLog;
import dev.tributary.quota.QuotaStore;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The topic and log layers of core (plain classes) as the beans the REST API and the data plane share. */
@Singleton
public class TopicBeans {
    @Produces
    @Singleton
    TopicStore topicStore(KeyValueStore store, QuotaStore quotas) {
        // The count quotas (topics, partitions) are checked in the transaction of each create or increase.
        return new TopicStore(store, quotas);
    }

    @Produces
    @Singleton
    PartitionLog partitionLog(KeyValueStore store) {
        return new PartitionLog(store);
    }
}
