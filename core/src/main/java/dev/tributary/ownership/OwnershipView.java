package dev.tributary.ownership;

import dev.tributary.ownership.OwnershipKeySpace.OwnerRecord;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.topic.TopicId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Who owns what, read from storage: for Metadata responses and producer redirects. A partition is
 * reported owned only while its owner's registration with the same session is in storage; a pod
 * that died is still reported until another pod expires its registration (at most a lease period
 * plus a balancing round later), so clients must treat a failed send to the owner as "look up
 * again".
 */
public final class OwnershipView {
    private final KeyValueStore store;

    public OwnershipView(KeyValueStore store) {
        this.store = store;
    }

    /** The live owner of one partition, if any. */
    public Optional<PartitionOwner> owner(PartitionRef partition) {
        return store.read(tx -> {
            CompletableFuture<byte[]> recordRead = tx.get(OwnershipKeySpace.owner(partition));
            OwnerRecord record = OwnerRecord.decode(recordRead.join());
            if (record == null || !record.owned()) {
                return Optional.empty();
            }
            PodInfo pod = readPod(tx, record.podId());
            return record.heldBy(pod)
                    ? Optional.of(new PartitionOwner(partition, pod.podId(), pod.endpoint(), record.epoch()))
                    : Optional.empty();
        });
    }

    /** Live owners of every partition of a topic that has one, by partition number. */
    public Map<Integer, PartitionOwner> owners(String tenant, TopicId topicId) {
        return store.read(tx -> {
            var range = OwnershipKeySpace.topicOwners(tenant, topicId).range();
            List<KeyValue> records = tx.getRange(range.begin, range.end).join();
            Map<String, PodInfo> pods = readPods(tx);
            Map<Integer, PartitionOwner> owners = new HashMap<>();
            for (KeyValue kv : records) {
                PartitionRef ref = OwnershipKeySpace.decodeOwnerKey(kv.key());
                OwnerRecord record = OwnerRecord.decode(kv.value());
                PodInfo pod = pods.get(record.podId());
                if (record.heldBy(pod)) {
                    owners.put(ref.partition(), new PartitionOwner(ref, pod.podId(), pod.endpoint(), record.epoch()));
                }
            }
            return owners;
        });
    }

    /** Every registered pod (including ones that have died but are not yet expired), in id order. */
    public List<PodInfo> pods() {
        return store.read(tx -> new ArrayList<>(readPods(tx).values()));
    }

    static PodInfo readPod(ReadTransaction tx, String podId) {
        byte[] value = tx.get(OwnershipKeySpace.pod(podId)).join();
        return value == null ? null : OwnershipKeySpace.decodePod(podId, value);
    }

    /** Pods are few (one per data-plane process), so one unbounded range read is fine. */
    static Map<String, PodInfo> readPods(ReadTransaction tx) {
        var range = OwnershipKeySpace.PODS.range();
        Map<String, PodInfo> pods = new java.util.TreeMap<>();
        for (KeyValue kv : tx.getRange(range.begin, range.end).join()) {
            String id = OwnershipKeySpace.decodePodKey(kv.key());
            pods.put(id, OwnershipKeySpace.decodePod(id, kv.value()));
        }
        return pods;
    }
}
