package dev.tributary.client.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A topic as the control API describes it.
 *
 * @param name its name
 * @param id its immutable id (a topic created again under the same name gets a new one)
 * @param partitions partition count
 * @param config the explicitly set settings
 * @param effectiveConfig every setting with the value in force
 * @param createdAt creation time
 * @param partitionOffsets log start and high watermark per partition (empty in listings)
 * @param etag the version for optimistic concurrency ({@link Admin#updateTopicConfig}), null in listings
 */
public record TopicDescription(String name, String id, int partitions, Map<String, String> config, Map<String, String> effectiveConfig,
        Instant createdAt, List<PartitionOffsets> partitionOffsets, String etag) {

    /** @param partition number @param logStartOffset earliest retained offset @param highWatermark offset of the next record */
    public record PartitionOffsets(int partition, long logStartOffset, long highWatermark) {}
}
