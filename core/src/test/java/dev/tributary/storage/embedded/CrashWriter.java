package dev.tributary.storage.embedded;

import dev.tributary.storage.KeyValueStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child-JVM main of {@link EmbeddedStoreCrashTest}: opens the store and commits numbered
 * transactions ({@link CrashLayout}) from several threads until it is killed, printing {@code ACK
 * <n>} only after the commit of transaction n returned. Arguments: data directory, cycle number,
 * writer threads, keys per transaction.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int cycle = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int keysPerTx = Integer.parseInt(args[3]);
        // No clean shutdown on purpose: the parent kills us; if it dies instead, stop at once.
        ChildMains.watchParent(() -> Runtime.getRuntime().halt(3));

        KeyValueStore store;
        try {
            store = EmbeddedStore.open(dir);
        } catch (RuntimeException e) {
            e.printStackTrace();
            ChildMains.emit("ERROR open failed: " + e);
            Runtime.getRuntime().halt(2);
            return;
        }
        ChildMains.emit("READY");
        AtomicLong next = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        long n = next.getAndIncrement();
                        store.run(tx -> {
                            CrashLayout.writeTransaction(tx, cycle, n, keysPerTx);
                            return null;
                        });
                        ChildMains.emit("ACK " + n);
                    }
                } catch (Throwable e) {
                    e.printStackTrace();
                    ChildMains.emit("ERROR " + e);
                    Runtime.getRuntime().halt(2);
                }
            }, "crash-writer-" + t);
            writer.start();
        }
    }
}
