package dev.tributary.storage.embedded;

import static dev.tributary.storage.StorageTestSupport.assertStorageError;
import static dev.tributary.storage.StorageTestSupport.bytes;
import static dev.tributary.storage.StorageTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.storage.StorageErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One data directory, one process: a second process that opens a directory in use gets
 * STORE_LOCKED (and changes nothing); once the holder closes, the directory opens normally.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedStoreProcessLockTest {
    private static final String KEY = "lock-probe-key";

    @TempDir
    Path tmp;

    @Test
    void anotherProcessCannotOpenADirectoryThisProcessHolds() throws Exception {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            put(store, "held by the parent");
            try (ChildJvm probe = ChildJvm.start(LockProbe.class, tmp.resolve("probe-1.err"), "open", dir.toString(), KEY)) {
                String result = probe.awaitLine("RESULT", Duration.ofSeconds(30));
                assertTrue(result.startsWith("RESULT STORE_LOCKED "), "second process got: " + result);
                assertEquals(0, probe.waitForExit(Duration.ofSeconds(20)));
            }
            // The failed attempt damaged nothing: the holder reads and commits as before.
            assertEquals("held by the parent", read(store));
            put(store, "still writable");
        }
        try (ChildJvm probe = ChildJvm.start(LockProbe.class, tmp.resolve("probe-2.err"), "open", dir.toString(), KEY)) {
            assertEquals("RESULT OPENED still writable", probe.awaitLine("RESULT", Duration.ofSeconds(30)),
                    "after the holder closed, another process opens the store and sees its data");
            assertEquals(0, probe.waitForExit(Duration.ofSeconds(20)));
        }
    }

    @Test
    void thisProcessCannotOpenADirectoryAnotherProcessHolds() throws Exception {
        Path dir = tmp.resolve("store");
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            put(store, "written before the child");
        }
        try (ChildJvm holder = ChildJvm.start(LockProbe.class, tmp.resolve("holder.err"), "hold", dir.toString())) {
            holder.awaitLine("READY", Duration.ofSeconds(30));
            assertStorageError(StorageErrorCode.STORE_LOCKED, () -> EmbeddedStore.open(dir));
            assertStorageError(StorageErrorCode.STORE_LOCKED, () -> EmbeddedStore.open(tmp.resolve("./store/../store")));
            holder.closeStdin();
            holder.awaitLine("CLOSED", Duration.ofSeconds(30));
            assertEquals(0, holder.waitForExit(Duration.ofSeconds(20)));
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            assertEquals("written before the child", read(store));
        }
    }

    private static void put(EmbeddedStore store, String value) {
        store.run(tx -> {
            tx.set(bytes(KEY), bytes(value));
            return null;
        });
    }

    private static String read(EmbeddedStore store) {
        return store.read(tx -> string(tx.get(bytes(KEY)).join()));
    }
}
