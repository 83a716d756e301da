package dev.tributary.client.internal.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.client.TributaryException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumerRpcTest {
    @Test
    void aRetryWaitsTheBackoffOrTheServersRetryDelayWhicheverIsLonger() {
        ConsumerRpc rpc = new ConsumerRpc(null, 100);
        TributaryException transport = new TributaryException(TributaryException.TRANSPORT, "lost", true, null, Map.of(), null);
        TributaryException throttled = new TributaryException("THROTTLED", "over quota", true, Duration.ofMillis(1_500), Map.of(),
                null);
        TributaryException briefly = new TributaryException("THROTTLED", "over quota", true, Duration.ofMillis(3), Map.of(), null);
        assertEquals(100, rpc.retryDelayMs(1, transport));
        assertEquals(400, rpc.retryDelayMs(3, transport));
        assertEquals(1_500, rpc.retryDelayMs(1, throttled));
        assertEquals(1_500, rpc.retryDelayMs(4, throttled)); // above the 1 s backoff cap: the server's delay wins
        assertEquals(200, rpc.retryDelayMs(2, briefly));
    }
}
