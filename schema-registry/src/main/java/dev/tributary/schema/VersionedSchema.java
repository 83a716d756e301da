package dev.tributary.schema;

/** A version of a subject with the schema it registers. */
public record VersionedSchema(SubjectVersion version, RegisteredSchema schema) {
    public String subject() {
        return version.subject();
    }

    public int id() {
        return schema.id();
    }
}
