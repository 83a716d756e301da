package dev.tributary.schema.provider;

import java.util.List;

/** A valid schema of some type, ready to be identified and compared. */
public interface ParsedSchema {
    /** Its {@link SchemaProvider#type()}. */
    String type();

    /**
     * The text that identifies the schema and is stored: submissions that differ only in ways the
     * type ignores (white space, attribute order) have the same canonical text, hence the same id.
     */
    String canonical();

    /**
     * Why this schema, as the reader's, cannot read data written with {@code writer} (a schema of
     * the same type): one message per problem, each saying where and what; empty when it can.
     */
    List<String> readIncompatibilities(ParsedSchema writer);
}
