package dev.tributary.server.schema;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A SpecificRecord written by hand the way avro-maven-plugin generates one (SCHEMA$, get/put by
 * position): version 2 of the end-to-end test's order, with {@code qty} defaulting to 1.
 */
public class AvroTestOrder extends SpecificRecordBase {
    public static final Schema SCHEMA$ = new Schema.Parser().parse(AvroSerdeEndToEndTest.ORDER_V2);

    private CharSequence id;
    private int qty;

    public AvroTestOrder() {}

    public AvroTestOrder(String id, int qty) {
        this.id = id;
        this.qty = qty;
    }

    public String id() {
        return id == null ? null : id.toString();
    }

    public int qty() {
        return qty;
    }

    @Override
    public Schema getSchema() {
        return SCHEMA$;
    }

    @Override
    public Object get(int field) {
        return switch (field) {
            case 0 -> id;
            case 1 -> qty;
            default -> throw new IndexOutOfBoundsException(field);
        };
    }

    @Override
    public void put(int field, Object value) {
        switch (field) {
            case 0 -> id = (CharSequence) value;
            case 1 -> qty = (Integer) value;
            default -> throw new IndexOutOfBoundsException(field);
        }
    }
}
