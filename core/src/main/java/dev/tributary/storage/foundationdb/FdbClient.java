package dev.tributary.storage.foundationdb;

import com.apple.foundationdb.FDB;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;

/**
 * The process-wide FoundationDB client. {@code FDB.selectAPIVersion} may run only once per JVM and a
 * failed native load poisons the {@code FDB} class for good (later calls see a bare
 * NoClassDefFoundError), so the outcome of the first attempt, success or failure, is kept and
 * reported the same way on every later open.
 */
final class FdbClient {
    /** fdb-java 7.3 / libfdb_c 7.3. */
    static final int API_VERSION = 730;

    private static FDB instance;
    private static String failure;
    private static Throwable failureCause;

    private FdbClient() {}

    static synchronized FDB get() {
        if (instance != null) {
            return instance;
        }
        if (failure == null) {
            try {
                // Touching FDB runs its static initializer, which loads libfdb_c and libfdb_java.
                FDB fdb = FDB.isAPIVersionSelected() ? FDB.instance() : FDB.selectAPIVersion(API_VERSION);
                if (fdb.getAPIVersion() != API_VERSION) {
                    failure = "FoundationDB API version " + fdb.getAPIVersion()
                            + " was already selected in this JVM; Tributary needs " + API_VERSION;
                } else {
                    instance = fdb;
                    return fdb;
                }
            } catch (LinkageError e) {
                // UnsatisfiedLinkError on the first attempt; NoClassDefFoundError if someone else
                // touched FDB before us and failed.
                failure = "the FoundationDB client library libfdb_c is not installed or cannot be loaded ("
                        + e.getMessage() + "). Install the FoundationDB 7.3 client package (foundationdb-clients)"
                        + " on this machine, or use tributary.storage.backend=embedded";
                failureCause = e;
            } catch (RuntimeException e) {
                // FDBException from Select_API_version: libfdb_c present but too old for API 730.
                failure = "the FoundationDB client library rejected API version " + API_VERSION + " ("
                        + e.getMessage() + "); install the FoundationDB 7.3 client package";
                failureCause = e;
            }
        }
        // A fresh exception per call, so that each caller's stack trace is its own.
        throw new StorageException(StorageErrorCode.INTERNAL, failure, failureCause);
    }
}
