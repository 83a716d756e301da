package dev.tributary.storage.embedded;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.StorageTestSupport;
import dev.tributary.storage.Transaction;
import java.nio.charset.StandardCharsets;

/**
 * What one numbered crash-test transaction writes, shared by the writer (child JVM) and the
 * verifier (test). Several keys per transaction make a half-applied commit visible; the per-cycle
 * counter must equal the number of complete transactions; the versionstamped log must list every
 * complete transaction once, in commit order, across crashes.
 */
final class CrashLayout {
    static final Subspace ROOT = new Subspace(Tuple.from("crash-test"));
    static final Subspace TX = ROOT.subspace(Tuple.from("tx"));
    static final Subspace COUNT = ROOT.subspace(Tuple.from("count"));
    static final Subspace LOG = ROOT.subspace(Tuple.from("log"));

    private CrashLayout() {}

    static void writeTransaction(Transaction tx, int cycle, long n, int keys) {
        for (int j = 0; j < keys; j++) {
            tx.set(TX.pack(Tuple.from(cycle, n, j)), value(cycle, n, j));
        }
        tx.mutate(MutationType.ADD, COUNT.pack(Tuple.from(cycle)), StorageTestSupport.le64(1));
        tx.mutate(MutationType.SET_VERSIONSTAMPED_KEY,
                StorageTestSupport.packWithVersionstamp(LOG.getKey(), Tuple.from(Versionstamp.incomplete(0))),
                Tuple.from(cycle, n).pack());
    }

    /** A deterministic payload of varying length, so that a torn or mixed-up write cannot match. */
    static byte[] value(int cycle, long n, int j) {
        String unit = "c" + cycle + "/n" + n + "/j" + j + ";";
        int length = 64 + (int) ((n * 7 + j * 13) % 400);
        StringBuilder sb = new StringBuilder(length + unit.length());
        while (sb.length() < length) {
            sb.append(unit);
        }
        return sb.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }
}
