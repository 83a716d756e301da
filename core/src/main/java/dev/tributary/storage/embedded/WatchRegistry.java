package dev.tributary.storage.embedded;

import dev.tributary.storage.Keys;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.StorageLimits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Outstanding watches: key → the value each watcher last saw. The committer checks the keys of each
 * group against it after the group is written; a watch is registered by comparing with the latest
 * written value under the same lock, so a change can never slip between registration and check.
 */
final class WatchRegistry {
    private record Watch(byte[] expected, CompletableFuture<Void> future) {}

    private final TreeMap<byte[], List<Watch>> byKey = new TreeMap<>(Keys::compare);
    private int count;
    private volatile boolean empty = true;

    boolean isEmpty() {
        return empty;
    }

    /**
     * Registers a watch that fires when the key's value differs from {@code expected}; fires at once
     * if it already does. Cancelling the future removes the watch.
     */
    synchronized void register(byte[] key, byte[] expected, CompletableFuture<Void> future, Function<byte[], byte[]> latest) {
        if (future.isDone()) {
            return;
        }
        if (!Arrays.equals(latest.apply(key), expected)) {
            future.complete(null);
            return;
        }
        if (count >= StorageLimits.MAX_WATCHES) {
            future.completeExceptionally(new StorageException(StorageErrorCode.TOO_MANY_WATCHES,
                    "more than " + StorageLimits.MAX_WATCHES + " watches are outstanding"));
            return;
        }
        Watch w = new Watch(expected, future);
        byKey.computeIfAbsent(key, k -> new ArrayList<>(1)).add(w);
        count++;
        empty = false;
        future.whenComplete((ok, err) -> remove(key, w));
    }

    private synchronized void remove(byte[] key, Watch w) {
        List<Watch> list = byKey.get(key);
        if (list != null && list.remove(w)) {
            count--;
            if (list.isEmpty()) {
                byKey.remove(key);
            }
            empty = count == 0;
        }
    }

    /** The futures of watches whose key changed in this group; they are removed. Called by the committer. */
    synchronized List<CompletableFuture<Void>> collectChanged(List<EmbeddedTransaction.AppliedWrites> groups,
            Function<byte[], byte[]> latest) {
        List<CompletableFuture<Void>> fired = new ArrayList<>();
        for (EmbeddedTransaction.AppliedWrites writes : groups) {
            for (byte[] key : writes.pointKeys()) {
                check(key, byKey.get(key), latest, fired);
            }
            for (ConflictTracker.Range r : writes.ranges()) {
                for (Map.Entry<byte[], List<Watch>> e : byKey.subMap(r.begin(), true, r.end(), false).entrySet()) {
                    check(e.getKey(), e.getValue(), latest, fired);
                }
            }
        }
        return fired;
    }

    private void check(byte[] key, List<Watch> list, Function<byte[], byte[]> latest, List<CompletableFuture<Void>> fired) {
        if (list == null || list.isEmpty()) {
            return;
        }
        byte[] now = latest.apply(key);
        for (Iterator<Watch> it = list.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (!Arrays.equals(now, w.expected())) {
                // Left in the map; the future's completion (on the notifier) removes it.
                fired.add(w.future());
            }
        }
    }

    void failAll(StorageException error) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            byKey.values().forEach(list -> list.forEach(w -> all.add(w.future())));
        }
        all.forEach(f -> f.completeExceptionally(error));
    }
}
