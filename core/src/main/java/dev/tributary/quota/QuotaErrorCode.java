package dev.tributary.quota;

/** Why a quota refused something; the names are the stable codes clients see (REST {@code code}, gRPC reason). */
public enum QuotaErrorCode {
    /** A limit that is not a whole number in its range (REST 400). */
    INVALID_QUOTA,
    /** A rate quota's budget is spent: retry after the delay given (REST 429, gRPC RESOURCE_EXHAUSTED). */
    THROTTLED,
    /** Creating the topic would exceed the tenant's topic count (REST 409). */
    TOPIC_QUOTA_EXCEEDED,
    /** Creating or growing the topic would exceed the tenant's partition count (REST 409). */
    PARTITION_QUOTA_EXCEEDED,
    /** The tenant stores as many bytes as its quota allows (gRPC RESOURCE_EXHAUSTED). */
    STORAGE_QUOTA_EXCEEDED,
    /** The tenant has as many streams open on this pod as its quota allows (gRPC RESOURCE_EXHAUSTED). */
    CONNECTION_QUOTA_EXCEEDED
}
