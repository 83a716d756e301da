package dev.tributary.client.serde.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {
    @Test
    void defaultsAreConfluents() {
        assertEquals(new AvroSerdeConfig(true, false, false), AvroSerdeConfig.fromMap(Map.of()));
        assertEquals(AvroSerdeConfig.defaults(), AvroSerdeConfig.fromMap(Map.of()));
    }

    @Test
    void readsStringsAndBooleans() {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(Map.of("auto.register.schemas", "false", "use.latest.version", true,
                "specific.avro.reader", " TRUE ", "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicNameStrategy",
                "key.subject.name.strategy", "TopicNameStrategy"));
        assertEquals(new AvroSerdeConfig(false, true, true), config);
    }

    @Test
    void refusesBadSettings() {
        assertInvalid(Map.of("auto.register.schemas", "yes"), "must be true or false");
        assertInvalid(Map.of("use.latest.version", "true"), "needs auto.register.schemas=false");
        assertInvalid(Map.of("value.subject.name.strategy", "RecordNameStrategy"), "only TopicNameStrategy");
        assertInvalid(Map.of("schema.registry.url", "https://elsewhere"), "come from the client's profile");
        assertInvalid(Map.of("auto.register.schema", "true"), "unknown Avro serde setting");
    }

    @Test
    void subjectsFollowTopicNameStrategy() {
        assertEquals("orders-key", AvroSerdeConfig.subject("orders", true));
        assertEquals("orders-value", AvroSerdeConfig.subject("orders", false));
    }

    private static void assertInvalid(Map<String, ?> configs, String message) {
        TributaryException e = assertThrows(TributaryException.class, () -> AvroSerdeConfig.fromMap(configs));
        assertEquals(TributaryException.INVALID_CONFIG, e.code());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
