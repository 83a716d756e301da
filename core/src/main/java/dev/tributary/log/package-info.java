/**
 * The partitioned log over the storage SPI: record batches appended with dense offsets under a
 * leader-epoch check ({@link dev.tributary.log.PartitionLog}), fetched back whole, found by
 * timestamp through a time index, and waited for through a watch on the partition's tail. The key
 * layout is {@link dev.tributary.log.LogKeySpace}; errors carry a {@link dev.tributary.log.LogErrorCode}.
 */
package dev.tributary.log;
