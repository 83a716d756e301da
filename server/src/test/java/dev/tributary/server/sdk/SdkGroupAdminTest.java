package dev.tributary.server.sdk;

import static dev.tributary.server.sdk.AdminTestSupport.assertCode;
import static dev.tributary.server.sdk.AdminTestSupport.assertLocalCode;
import static dev.tributary.server.sdk.AdminTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.admin.AclOperation;
import dev.tributary.client.admin.AclResourceType;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.ConsumerGroupDescription;
import dev.tributary.client.admin.ConsumerGroupListing;
import dev.tributary.client.admin.GroupOffset;
import dev.tributary.client.admin.NewAcl;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.OffsetReset;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.serde.Serdes;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SDK's admin client for consumer groups against the real server, with a real group: an SDK
 * consumer that joins, reads and commits over gRPC, then leaves.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SdkGroupAdminTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private AdminTestSupport support;

    @BeforeEach
    void connect() throws Exception {
        support = AdminTestSupport.connect(root, config.dataDir());
    }

    @Test
    void groupsAreListedDescribedResetAndDeleted() throws Exception {
        String tenant = support.newTenant("sdk");
        JsonNode tenantAdmin = support.newAccount(tenant, ServiceAccount.TENANT_ADMIN);
        JsonNode member = support.newAccount(tenant, ServiceAccount.MEMBER);
        try (TributaryClient client = support.client(tenantAdmin); TributaryClient memberClient = support.client(member)) {
            Admin admin = client.admin();
            await(admin.createTopic(new NewTopic("orders", 2)));
            try (Producer<String, String> producer = client.newProducer(ProducerConfig.defaults(), Serdes.stringSerializer(),
                    Serdes.stringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("orders", i % 2, "k" + i, "v" + i));
                }
                producer.flush();
            }
            assertEquals(List.of(), await(admin.listGroups()));

            Consumer<String, String> consumer = client.newConsumer(ConsumerConfig.builder().groupId("billing")
                    .autoOffsetReset(ConsumerConfig.OffsetReset.EARLIEST).enableAutoCommit(false).build(),
                    Serdes.stringDeserializer(), Serdes.stringDeserializer());
            try {
                consumer.subscribe(List.of("orders"));
                int read = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (read < 10 && System.nanoTime() < deadline) {
                    read += consumer.poll(Duration.ofMillis(200)).count();
                }
                assertEquals(10, read);
                consumer.commitSync();

                List<ConsumerGroupListing> listed = await(admin.listGroups());
                assertEquals(1, listed.size(), listed.toString());
                assertEquals("billing", listed.get(0).groupId());
                assertEquals(1, listed.get(0).members());
                assertTrue(Set.of("stable", "reconciling").contains(listed.get(0).state()), listed.toString());

                ConsumerGroupDescription live = await(admin.describeGroup("billing"));
                assertEquals("billing", live.groupId());
                assertTrue(live.generation() > 0, live.toString());
                assertEquals(1, live.members().size(), live.toString());
                assertEquals(Set.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1)),
                        Set.copyOf(live.members().get(0).assignments()));
                assertEquals(List.of(new GroupOffset("orders", 0, 5, 5, 0), new GroupOffset("orders", 1, 5, 5, 0)), live.offsets());

                // A group with a live member is neither reset nor deleted, and stays as it was.
                assertCode("GROUP_NOT_EMPTY", 409, admin.resetOffsets("billing", OffsetReset.toEarliest()));
                assertCode("GROUP_NOT_EMPTY", 409, admin.deleteGroup("billing"));
                assertEquals(live.offsets(), await(admin.describeGroup("billing")).offsets());

                // A member sees a group only with the ACL to describe it; describing does not allow resetting.
                assertCode("FORBIDDEN", 403, memberClient.admin().describeGroup("billing"));
                assertEquals(List.of(), await(memberClient.admin().listGroups()));
                await(admin.createAcl(NewAcl.allow(member.get("id").asText(), AclOperation.DESCRIBE, AclResourceType.GROUP, "billing")));
                assertEquals("billing", await(memberClient.admin().describeGroup("billing")).groupId());
                assertEquals(List.of("billing"), await(memberClient.admin().listGroups()).stream().map(ConsumerGroupListing::groupId)
                        .toList());
                assertCode("FORBIDDEN", 403, memberClient.admin().resetOffsets("billing", OffsetReset.toEarliest()));
                assertCode("FORBIDDEN", 403, memberClient.admin().deleteGroup("billing"));
            } finally {
                consumer.close();
            }

            // Closing left the group: it is empty, its offsets remain and can be moved.
            ConsumerGroupDescription empty = await(admin.describeGroup("billing"));
            assertEquals("empty", empty.state());
            assertEquals(List.of(), empty.members());
            List<GroupOffset> earliest = await(admin.resetOffsets("billing", OffsetReset.toEarliest()));
            assertEquals(List.of(new GroupOffset("orders", 0, 0, 5, 5), new GroupOffset("orders", 1, 0, 5, 5)), earliest);
            assertEquals(earliest, await(admin.describeGroup("billing")).offsets());
            List<GroupOffset> latest = await(admin.resetOffsets("billing", OffsetReset.toLatest().forTopics(List.of("orders"))));
            assertEquals(List.of(5L, 5L), latest.stream().map(GroupOffset::committedOffset).toList());
            List<GroupOffset> byTime = await(admin.resetOffsets("billing", OffsetReset.toTimestamp(0)));
            assertEquals(List.of(0L, 0L), byTime.stream().map(GroupOffset::committedOffset).toList());
            assertCode("UNKNOWN_TOPIC", 404, admin.resetOffsets("billing", OffsetReset.toEarliest().forTopics(List.of("nothing"))));

            assertCode("GROUP_NOT_FOUND", 404, admin.describeGroup("ghost"));
            assertCode("GROUP_NOT_FOUND", 404, admin.deleteGroup("ghost"));
            assertCode("INVALID_GROUP_ID", 400, admin.describeGroup("has space"));
            assertLocalCode("INVALID_GROUP_ID", admin.describeGroup(".."));
            String other = support.newTenant("sdk");
            try (TributaryClient intruder = support.client(support.newAccount(other, ServiceAccount.TENANT_ADMIN))) {
                assertCode("FORBIDDEN", 403, intruder.admin().forTenant(tenant).describeGroup("billing"));
                assertCode("FORBIDDEN", 403, intruder.admin().forTenant(tenant).deleteGroup("billing"));
                assertCode("FORBIDDEN", 403, intruder.admin().forTenant(tenant).listGroups());
            }

            await(admin.deleteGroup("billing"));
            assertCode("GROUP_NOT_FOUND", 404, admin.describeGroup("billing"));
            assertEquals(List.of(), await(admin.listGroups()));
        }
    }
}
