package dev.tributary.schema.provider;

import dev.tributary.schema.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Avro schemas (apache-avro). Parsing validates names and default values. A schema's references
 * are parsed first into the same parser, so that the schema can use the named types they define.
 *
 * <p>The canonical text is Avro's own JSON rendering of the parsed schema ({@code
 * Schema.toString()}, with the referenced types by name): it removes white space and orders
 * attributes, but keeps {@code doc}, {@code aliases}, defaults and custom properties, as Confluent's
 * registry does. Avro's Parsing Canonical Form would not do for identity: it drops defaults, so
 * two schemas that evolve differently would share an id.
 */
public final class AvroSchemaProvider implements SchemaProvider {
    public static final String TYPE = "AVRO";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ParsedSchema parse(String schema, List<ResolvedReference> references) {
        Schema.Parser parser = new Schema.Parser();
        for (ResolvedReference ref : references) {
            try {
                parser.parse(ref.schema());
            } catch (RuntimeException e) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: the reference '" + ref.reference().name()
                        + "' (subject '" + ref.reference().subject() + "' version " + ref.reference().version()
                        + ") cannot be used: " + reason(e));
            }
        }
        List<Schema> referenced = new ArrayList<>(parser.getTypes().values());
        Schema parsed;
        try {
            parsed = parser.parse(schema);
        } catch (RuntimeException e) {
            // SchemaParseException and AvroTypeException say what is wrong; anything else the parser
            // throws on odd input (NullPointerException, ClassCastException, ...) is a bad schema too.
            throw SchemaRegistryException.invalidSchema("Invalid schema: " + reason(e));
        }
        String canonical = referenced.isEmpty() ? parsed.toString() : parsed.toString(referenced, false);
        return new Parsed(parsed, canonical);
    }

    private static String reason(RuntimeException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
    }

    /** A parsed Avro schema. */
    static final class Parsed implements ParsedSchema {
        private final Schema schema;
        private final String canonical;

        Parsed(Schema schema, String canonical) {
            this.schema = schema;
            this.canonical = canonical;
        }

        Schema schema() {
            return schema;
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String canonical() {
            return canonical;
        }

        @Override
        public List<String> readIncompatibilities(ParsedSchema writer) {
            if (!(writer instanceof Parsed avroWriter)) {
                return List.of("the other schema is of type " + writer.type() + ", not AVRO");
            }
            SchemaCompatibility.SchemaPairCompatibility pair =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, avroWriter.schema);
            if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return List.of();
            }
            List<String> messages = new ArrayList<>();
            for (SchemaCompatibility.Incompatibility problem : pair.getResult().getIncompatibilities()) {
                messages.add(describe(problem));
            }
            return messages;
        }

        /** Avro's messages, made readable where they are only a name. */
        private static String describe(SchemaCompatibility.Incompatibility problem) {
            String detail = problem.getMessage();
            switch (problem.getType()) {
                case READER_FIELD_MISSING_DEFAULT_VALUE -> detail = "the reader's field '" + detail
                        + "' has no default value and the writer's schema has no such field";
                case MISSING_ENUM_SYMBOLS -> detail = "the reader's enum " + problem.getReaderFragment().getFullName()
                        + " has no symbol (and no default) for the writer's symbols " + detail;
                default -> { }
            }
            return problem.getType() + " at " + problem.getLocation() + ": " + detail;
        }
    }
}
