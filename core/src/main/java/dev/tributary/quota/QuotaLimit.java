package dev.tributary.quota;

/**
 * The seven limits of a tenant's quota, with their names on the wire (REST JSON, configuration
 * keys in kebab case) and their ranges. A limit is a whole number or unlimited (null).
 */
public enum QuotaLimit {
    PRODUCE_BYTES_PER_SECOND("produceBytesPerSecond", "produce-bytes-per-second", 1, "bytes per second"),
    FETCH_BYTES_PER_SECOND("fetchBytesPerSecond", "fetch-bytes-per-second", 1, "bytes per second"),
    REQUESTS_PER_SECOND("requestsPerSecond", "requests-per-second", 1, "requests per second"),
    STORAGE_BYTES("storageBytes", "storage-bytes", 0, "bytes"),
    TOPICS("topics", "topics", 0, "topics"),
    PARTITIONS("partitions", "partitions", 0, "partitions"),
    CONNECTIONS("connections", "connections", 0, "concurrent streams per data-plane pod");

    /**
     * Largest value of any limit: 2^53, the largest integer a JSON number carries exactly in every
     * client (JavaScript's doubles), and far above any real need (8 PiB, 9 quadrillion topics).
     */
    public static final long MAX = 1L << 53;

    private final String jsonName;
    private final String configName;
    private final long min;
    private final String unit;

    QuotaLimit(String jsonName, String configName, long min, String unit) {
        this.jsonName = jsonName;
        this.configName = configName;
        this.min = min;
        this.unit = unit;
    }

    /** The member name in the REST API's {@code limits} object. */
    public String jsonName() {
        return jsonName;
    }

    /** The name under {@code tributary.quota.defaults.}. */
    public String configName() {
        return configName;
    }

    /** The smallest value allowed: 1 for rates (a rate of 0 would refuse every request forever), 0 for counts. */
    public long min() {
        return min;
    }

    public String unit() {
        return unit;
    }

    public boolean isRate() {
        return min == 1;
    }

    /** The limit named {@code jsonName} in the REST API, or null. */
    public static QuotaLimit ofJsonName(String jsonName) {
        for (QuotaLimit l : values()) {
            if (l.jsonName.equals(jsonName)) {
                return l;
            }
        }
        return null;
    }

    /** Fails with INVALID_QUOTA unless {@code value} is null (unlimited) or in [{@link #min()}, {@link #MAX}]. */
    public void validate(Long value) {
        if (value != null && (value < min || value > MAX)) {
            throw new QuotaException(QuotaErrorCode.INVALID_QUOTA, invalidMessage(String.valueOf(value)));
        }
    }

    /** What a valid value is, naming the value given. */
    public String invalidMessage(String given) {
        String why = isRate() ? " (a rate of 0 would refuse every request forever)" : "";
        return jsonName + " must be a whole number of " + unit + " from " + min + " to " + MAX + ", or null for unlimited"
                + why + "; not " + given;
    }
}
