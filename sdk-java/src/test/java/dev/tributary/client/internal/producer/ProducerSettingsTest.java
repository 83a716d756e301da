package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.record.CompressionCodec;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Producer settings: each one checked when the config is built, the rules between them when the producer starts. */
class ProducerSettingsTest {
    private static ProducerSettings settings(Map<String, Object> values) {
        ProducerConfig.Builder builder = ProducerConfig.builder();
        values.forEach(builder::set);
        return ProducerSettings.of(builder.build());
    }

    private static TributaryException invalid(Map<String, Object> values) {
        TributaryException e = assertThrows(TributaryException.class, () -> settings(values));
        assertEquals(TributaryException.INVALID_CONFIG, e.code());
        return e;
    }

    @Test
    void defaults() {
        ProducerSettings s = ProducerSettings.of(ProducerConfig.defaults());
        assertEquals(ProducerConfig.Acks.DURABLE, s.acks());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(5), s.lingerNanos());
        assertEquals(65536, s.batchLimit());
        assertEquals(CompressionCodec.NONE, s.compression());
        assertEquals(5, s.maxInFlightPerPartition(), "as Kafka: the server keeps the order of a partition's calls");
        assertEquals(TimeUnit.SECONDS.toNanos(120), s.deliveryTimeoutNanos());
        assertEquals(33554432L, s.bufferMemory());
    }

    @Test
    void acksAliases() {
        for (String durable : new String[] {"durable", "all", "-1", "DURABLE"}) {
            assertEquals(ProducerConfig.Acks.DURABLE, settings(Map.of("acks", durable)).acks(), durable);
        }
        for (String none : new String[] {"none", "0"}) {
            assertEquals(ProducerConfig.Acks.NONE, settings(Map.of("acks", none)).acks(), none);
        }
        assertTrue(invalid(Map.of("acks", "1")).getMessage().contains("acks"));
    }

    @Test
    void eachSettingIsCheckedWhenBuilt() {
        assertTrue(invalid(Map.of("linger.msec", 5)).getMessage().contains("unknown setting 'linger.msec'"));
        assertTrue(invalid(Map.of("batch.size", "big")).getMessage().contains("batch.size must be a whole number"));
        assertTrue(invalid(Map.of("batch.size", 0)).getMessage().contains("batch.size must be in [1, 8388608]"));
        assertTrue(invalid(Map.of("max.in.flight.requests.per.partition", 0)).getMessage().contains("max.in.flight"));
        assertTrue(invalid(Map.of("compression.type", "gzip")).getMessage().contains("compression.type must be one of"));
        assertTrue(invalid(Map.of("max.request.size", 100)).getMessage().contains("max.request.size"));
    }

    @Test
    void rulesBetweenSettings() {
        assertTrue(invalid(Map.of("retry.backoff.ms", 500, "retry.backoff.max.ms", 100)).getMessage()
                .contains("retry.backoff.max.ms (100) must be at least retry.backoff.ms (500)"));
        assertTrue(invalid(Map.of("linger.ms", 1000, "delivery.timeout.ms", 1000)).getMessage()
                .contains("delivery.timeout.ms (1000) must be larger than linger.ms (1000)"));
    }

    @Test
    void theLargestBatchFitsOneRequestAndOneServerAppend() {
        assertEquals(4096, settings(Map.of("batch.size", 65536, "max.request.size", 4096)).batchLimit());
        assertEquals(1000, settings(Map.of("batch.size", 1000)).batchLimit());
        assertEquals(8 * 1024 * 1024, settings(Map.of("batch.size", 8 * 1024 * 1024, "max.request.size", 64 * 1024 * 1024)).batchLimit());
    }

    @Test
    void hugeDurationsDoNotOverflowDeadlines() {
        ProducerSettings s = settings(Map.of("delivery.timeout.ms", Long.MAX_VALUE, "max.block.ms", Long.MAX_VALUE));
        assertEquals(ProducerSettings.MAX_DURATION_NANOS, s.deliveryTimeoutNanos());
        long now = System.nanoTime();
        assertTrue(now + s.deliveryTimeoutNanos() - now > 0, "a deadline far away still compares as in the future");
    }

    @Test
    void compressionCodecs() {
        assertEquals(CompressionCodec.NONE, settings(Map.of("compression.type", "none")).compression());
        assertEquals(CompressionCodec.LZ4, settings(Map.of("compression.type", "lz4")).compression());
        assertEquals(CompressionCodec.ZSTD, settings(Map.of("compression.type", "ZSTD")).compression());
    }
}
