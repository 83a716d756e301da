/**
 * Retention for cleanup.policy=delete: removes whole batches from a partition's log start by age
 * (retention.ms) and size (retention.bytes), advancing the log start offset.
 */
package dev.tributary.retention;
