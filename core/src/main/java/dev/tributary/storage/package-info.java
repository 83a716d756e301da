/**
 * The storage SPI: a small, FoundationDB-shaped key-value contract that every piece of Tributary
 * state lives behind.
 *
 * <p>Ordered byte keys, serializable transactions with automatic retry ({@link
 * dev.tributary.storage.KeyValueStore#run}), snapshot reads, range reads, atomic mutations,
 * versionstamps and watches. FoundationDB's limits ({@link dev.tributary.storage.StorageLimits})
 * are enforced identically by every backend so that code proven on the embedded store behaves the
 * same on FoundationDB. Keys are built with the tuple encoding ({@code
 * com.apple.foundationdb.tuple.Tuple}, pure Java).
 */
package dev.tributary.storage;
