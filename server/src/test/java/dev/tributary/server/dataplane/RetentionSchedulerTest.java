package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.retention.RetentionScheduler;
import dev.tributary.log.PartitionLog;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server applies retention to the partitions it owns: old batches of a topic with retention.ms
 * disappear from the log start, the newest batch stays, and a topic without a short retention is
 * left alone.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class RetentionSchedulerTest {
    @Inject
    TopicStore topics;
    @Inject
    PartitionLog log;
    @Inject
    LocalPod pod;
    @Inject
    RetentionScheduler retention;

    @Test
    void ownedPartitionsLoseExpiredBatchesButKeepTheNewest() {
        long now = System.currentTimeMillis();
        TopicMetadata shortLived = topics.create("retention-a", "short", 1, Map.of("retention.ms", "60000"));
        TopicMetadata kept = topics.create("retention-a", "kept", 1, Map.of());
        for (TopicMetadata topic : new TopicMetadata[] {shortLived, kept}) {
            PartitionRef p = new PartitionRef("retention-a", topic.id(), 0);
            for (int i = 0; i < 3; i++) {
                // Two batches an hour old, the last one fresh.
                long timestamp = i < 2 ? now - 3_600_000 : now;
                byte[] batch = RecordBatch.builder().append(timestamp, null, ("v" + i).getBytes(StandardCharsets.UTF_8)).build();
                log.append(p.tenant(), p.topicId(), 0, batch, pod.appendEpoch(p));
            }
        }

        RetentionScheduler.Pass pass = retention.runOnce(now);

        assertTrue(pass.partitions() >= 2, "both partitions are owned by this pod after the appends: " + pass);
        assertEquals(0, pass.failures(), pass.toString());
        assertEquals(2, log.offsets("retention-a", shortLived.id(), 0).logStartOffset(),
                "the two expired batches are gone, the newest stays");
        assertEquals(3, log.offsets("retention-a", shortLived.id(), 0).highWatermark());
        assertEquals(0, log.offsets("retention-a", kept.id(), 0).logStartOffset(),
                "the default retention (7 days) keeps an hour-old batch");
    }
}
