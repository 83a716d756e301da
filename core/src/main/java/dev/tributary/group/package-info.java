/**
 * Consumer groups with server-side assignment after Kafka's KIP-848: member heartbeats, epochs,
 * incremental cooperative reconciliation, committed offsets fenced by member epoch, and the admin
 * calls (list, describe with lag, reset, delete). Entry point: {@link dev.tributary.group.GroupCoordinator}.
 */
package dev.tributary.group;
