/**
 * Tenant-scoped topics: names, immutable ids, partition counts and configuration ({@link
 * dev.tributary.topic.TopicStore}). Data keys use the topic id, so a re-created topic never sees
 * an older topic's data.
 */
package dev.tributary.topic;
