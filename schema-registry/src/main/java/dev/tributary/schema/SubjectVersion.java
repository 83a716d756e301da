package dev.tributary.schema;

/** One version of a subject: the schema id it registers, and whether it is soft-deleted. */
public record SubjectVersion(String subject, int version, int id, boolean deleted) {}
