package dev.tributary.storage.embedded;

/**
 * Options of the embedded (RocksDB) store.
 *
 * @param syncCommits fsync the write-ahead log before a commit is acknowledged (default true).
 *     Turning it off keeps crash safety for the process (kill -9) but not for power loss.
 * @param maxBatchTransactions most transactions that share one group commit (one fsync)
 * @param blockCacheBytes RocksDB block cache size
 */
public record EmbeddedStoreOptions(boolean syncCommits, int maxBatchTransactions, long blockCacheBytes) {

    public static final EmbeddedStoreOptions DEFAULTS = new EmbeddedStoreOptions(true, 1024, 64L * 1024 * 1024);

    public EmbeddedStoreOptions {
        if (maxBatchTransactions < 1) {
            throw new IllegalArgumentException("maxBatchTransactions must be at least 1");
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must not be negative");
        }
    }

    public EmbeddedStoreOptions withSyncCommits(boolean sync) {
        return new EmbeddedStoreOptions(sync, maxBatchTransactions, blockCacheBytes);
    }
}
