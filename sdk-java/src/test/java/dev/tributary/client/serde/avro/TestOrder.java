package dev.tributary.client.serde.avro;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/** A SpecificRecord written by hand the way avro-maven-plugin generates one (SCHEMA$, get/put by position). */
public class TestOrder extends SpecificRecordBase {
    public static final Schema SCHEMA$ = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"TestOrder\","
            + "\"namespace\":\"dev.tributary.client.serde.avro\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}");

    private CharSequence id;
    private int qty;

    public TestOrder() {}

    public TestOrder(String id, int qty) {
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
