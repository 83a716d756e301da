package dev.tributary.controlplane.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tributary.topic.TopicMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A topic as the REST API shows it.
 *
 * @param name tenant-unique name
 * @param id immutable id (32 hex characters); a topic created again under the same name gets a new one
 * @param partitions partition count
 * @param config the explicitly set configuration keys
 * @param effectiveConfig every key with the value in force (set or default)
 * @param createdAt creation time
 * @param partitionOffsets per partition: log start offset and high watermark (single-topic reads only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TopicView(String name, String id, int partitions, Map<String, String> config, Map<String, String> effectiveConfig,
        Instant createdAt, List<PartitionView> partitionOffsets) {

    /** @param partition number @param logStartOffset earliest stored offset @param highWatermark offset of the next record */
    public record PartitionView(int partition, long logStartOffset, long highWatermark) {}

    static TopicView of(TopicMetadata topic, List<PartitionView> partitions) {
        return new TopicView(topic.name(), topic.id().toString(), topic.partitions(), topic.config().overrides(),
                topic.config().effective(), Instant.ofEpochMilli(topic.createdAtMillis()), partitions);
    }
}
