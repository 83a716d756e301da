package dev.tributary.storage.embedded;

import dev.tributary.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Child-JVM main of {@link EmbeddedStoreProcessLockTest}. {@code open DIR KEY}: tries to open the
 * store, prints {@code RESULT OPENED <value of KEY>} or {@code RESULT <error code> <message>} and
 * exits. {@code hold DIR}: opens the store, prints {@code READY}, keeps it open until stdin closes,
 * then closes it and prints {@code CLOSED}.
 */
public final class LockProbe {
    private LockProbe() {}

    public static void main(String[] args) throws InterruptedException {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        CountDownLatch release = new CountDownLatch(1);
        ChildMains.watchParent(release::countDown);
        EmbeddedStore store;
        try {
            store = EmbeddedStore.open(dir);
        } catch (StorageException e) {
            ChildMains.emit("RESULT " + e.code() + " " + e.getMessage().replace('\n', ' '));
            System.exit(0);
            return;
        }
        if (mode.equals("open")) {
            byte[] key = args[2].getBytes(StandardCharsets.UTF_8);
            byte[] value = store.read(tx -> tx.get(key).join());
            store.close();
            ChildMains.emit("RESULT OPENED " + (value == null ? "<missing>" : new String(value, StandardCharsets.UTF_8)));
            System.exit(0);
        }
        ChildMains.emit("READY");
        release.await();
        store.close();
        ChildMains.emit("CLOSED");
        System.exit(0);
    }
}
