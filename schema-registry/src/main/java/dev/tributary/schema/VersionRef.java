package dev.tributary.schema;

/**
 * A version as the API names it: a number from 1 to 2^31-1, or "latest" (also -1), the highest
 * version that is not soft-deleted.
 */
public record VersionRef(int number) {
    public static final VersionRef LATEST = new VersionRef(-1);

    public boolean isLatest() {
        return number == -1;
    }

    /** The version named {@code text}; INVALID_VERSION otherwise. */
    public static VersionRef parse(String text) {
        if (text != null) {
            if (text.equals("latest") || text.equals("-1")) {
                return LATEST;
            }
            try {
                int n = Integer.parseInt(text);
                if (n >= 1) {
                    return new VersionRef(n);
                }
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new SchemaRegistryException(SchemaErrorCode.INVALID_VERSION, "The specified version '" + Names.printable(text)
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    @Override
    public String toString() {
        return isLatest() ? "latest" : Integer.toString(number);
    }
}
