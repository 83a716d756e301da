package dev.tributary.controlplane.quota;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.TenantQuota;
import dev.tributary.topic.TopicCounts;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code GET /v1/tenants/{t}/quota}: the limits (null = unlimited, always present) and
 * the use. Counts and stored bytes are the tenant's; connections and rates are the answering
 * node's (rate and connection quotas are per node).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@Schema(name = "Quota")
public record QuotaView(Limits limits, Usage usage) {
    /** The limits; also the body of a PUT (absent or null members: unlimited). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @Schema(name = "QuotaLimits", description = "Each a whole number (rates 1 to 2^53, counts 0 to 2^53) or null for unlimited")
    public record Limits(Long produceBytesPerSecond, Long fetchBytesPerSecond, Long requestsPerSecond, Long storageBytes,
            Long topics, Long partitions, Long connections) {
        static Limits of(TenantQuota q) {
            return new Limits(q.produceBytesPerSecond(), q.fetchBytesPerSecond(), q.requestsPerSecond(), q.storageBytes(),
                    q.topics(), q.partitions(), q.connections());
        }
    }

    @Schema(name = "QuotaUsage", description = "topics, partitions and storageBytes are the tenant's; connections and the"
            + " rates are the answering node's")
    public record Usage(long topics, long partitions, long storageBytes, int connections, double produceBytesPerSecond,
            double fetchBytesPerSecond, double requestsPerSecond) {
        static Usage of(TopicCounts counts, long storageBytes, QuotaEnforcer.Usage pod) {
            return new Usage(counts.topics(), counts.partitions(), storageBytes, pod.connections(),
                    round(pod.produceBytesPerSecond()), round(pod.fetchBytesPerSecond()), round(pod.requestsPerSecond()));
        }

        private static double round(double rate) {
            return Math.round(rate * 1000) / 1000.0;
        }
    }
}
