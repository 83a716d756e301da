package dev.tributary.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantQuotaTest {
    @Test
    void encodesAndDecodesEveryLimitIncludingUnlimitedOnes() {
        TenantQuota quota = new TenantQuota(1L, 2L, null, 0L, 5L, null, QuotaLimit.MAX);
        assertEquals(quota, TenantQuota.decode(quota.encode()));
        assertEquals(TenantQuota.UNLIMITED, TenantQuota.decode(TenantQuota.UNLIMITED.encode()));
        assertNull(TenantQuota.UNLIMITED.get(QuotaLimit.CONNECTIONS));
        assertEquals(5L, quota.get(QuotaLimit.TOPICS));
        assertEquals(quota, TenantQuota.of(quota.asMap()));
    }

    @Test
    void ratesMustBePositiveAndCountsNotNegative() {
        QuotaException zeroRate = assertThrows(QuotaException.class, () -> new TenantQuota(0L, null, null, null, null, null, null));
        assertEquals(QuotaErrorCode.INVALID_QUOTA, zeroRate.code());
        assertEquals("produceBytesPerSecond must be a whole number of bytes per second from 1 to 9007199254740992, or null for"
                + " unlimited (a rate of 0 would refuse every request forever); not 0", zeroRate.detail());
        QuotaException negative = assertThrows(QuotaException.class, () -> new TenantQuota(null, null, null, null, -1L, null, null));
        assertEquals("topics must be a whole number of topics from 0 to 9007199254740992, or null for unlimited; not -1",
                negative.detail());
        QuotaException huge = assertThrows(QuotaException.class,
                () -> new TenantQuota(null, null, null, QuotaLimit.MAX + 1, null, null, null));
        assertEquals(QuotaErrorCode.INVALID_QUOTA, huge.code());
        // Zero is a meaningful count: no (more) topics, partitions, streams or bytes.
        Map<QuotaLimit, Long> zeros = new EnumMap<>(QuotaLimit.class);
        for (QuotaLimit l : QuotaLimit.values()) {
            if (!l.isRate()) {
                zeros.put(l, 0L);
            }
        }
        assertEquals(0L, TenantQuota.of(zeros).connections());
        for (QuotaLimit l : QuotaLimit.values()) {
            assertThrows(QuotaException.class, () -> l.validate(l.min() - 1), l.name());
            l.validate(l.min());
            l.validate(null);
        }
    }
}
