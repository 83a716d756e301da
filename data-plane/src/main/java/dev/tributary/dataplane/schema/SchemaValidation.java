package dev.tributary.dataplane.schema;

import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.schema.Names;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.topic.TopicConfig;
import dev.tributary.topic.TopicMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Produce-time schema validation: on a topic with {@code key.schema.validation} or
 * {@code value.schema.validation} on, every record's key (value) must start with the Confluent
 * wire-format header (magic byte 0, then a 4-byte big-endian schema id) naming an id that a live
 * version of the bound subject registers in the caller's tenant. Only the header is read; the
 * payload is not decoded against the schema (as Confluent's broker-side validation).
 *
 * <p>Answers come from {@link SchemaLookup}, which keeps positive answers: a record naming a known
 * id costs a hash probe, an unknown one a store read (so runs on the storage threads).
 */
public final class SchemaValidation {
    /** The reason in the status details of a refused produce request. */
    public static final String SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED";
    static final int HEADER_BYTES = 5;
    private static final byte MAGIC = 0;

    private final SchemaLookup lookup;

    public SchemaValidation(SchemaLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * What checks the records of one batch of {@code topic}, or null when the topic validates
     * neither keys nor values (so the batch's records are not even iterated).
     */
    public Consumer<RecordBatch> checker(String tenant, TopicMetadata topic, int partition, int batchIndex) {
        TopicConfig config = topic.config();
        boolean keys = config.keySchemaValidation();
        boolean values = config.valueSchemaValidation();
        if (!keys && !values) {
            return null;
        }
        String keySubject = keys ? config.keySchemaSubject(topic.name()) : null;
        String valueSubject = values ? config.valueSchemaSubject(topic.name()) : null;
        return batch -> {
            long base = batch.baseOffset();
            for (Record record : batch) {
                int delta = (int) (record.offset() - base);
                if (keys) {
                    check(tenant, keySubject, record.key(), "key", partition, batchIndex, delta);
                }
                if (values) {
                    check(tenant, valueSubject, record.value(), "value", partition, batchIndex, delta);
                }
            }
        };
    }

    private void check(String tenant, String subject, byte[] payload, String part, int partition, int batchIndex, int delta) {
        if (payload == null) {
            throw refused(partition, batchIndex, delta, part, subject, null,
                    "the " + part + " is null; " + part + " validation needs a schema id");
        }
        if (payload.length < HEADER_BYTES || payload[0] != MAGIC) {
            throw refused(partition, batchIndex, delta, part, subject, null, "the " + part
                    + " does not start with the schema wire format (magic byte 0 and a 4-byte schema id)");
        }
        int id = ((payload[1] & 0xff) << 24) | ((payload[2] & 0xff) << 16) | ((payload[3] & 0xff) << 8) | (payload[4] & 0xff);
        if (!lookup.subjectHasId(tenant, subject, id)) {
            throw refused(partition, batchIndex, delta, part, subject, id, "schema id " + id
                    + " is not registered under subject '" + Names.printable(subject) + "'");
        }
    }

    private static StatusRuntimeException refused(int partition, int batchIndex, int delta, String part, String subject,
            Integer id, String why) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("partition", Integer.toString(partition));
        details.put("batch_index", Integer.toString(batchIndex));
        details.put("offset_delta", Integer.toString(delta));
        details.put("part", part);
        details.put("subject", subject);
        if (id != null) {
            details.put("schema_id", Integer.toString(id));
        }
        return DataPlaneErrors.status(Status.Code.INVALID_ARGUMENT, SCHEMA_VALIDATION_FAILED, "partition " + partition
                + ", batch " + batchIndex + ", record at offset delta " + delta + ": " + why
                + "; nothing of the request was written", details);
    }
}
