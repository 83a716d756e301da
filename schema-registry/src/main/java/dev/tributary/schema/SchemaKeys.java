package dev.tributary.schema;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;

/**
 * Every key the schema registry writes, all in the tenant's subspace, so that deleting a tenant
 * (one range clear) deletes its schemas too. {@code R = ("t", tenantId, "sr")}:
 *
 * <pre>
 * R + ("n")                           last schema id allocated in the tenant: tuple (id); absent = 0
 * R + ("c")                           change counter, int64 little-endian, ADDed by every write (for caches to watch)
 * R + ("i", id, "m")                  what the id names: JSON {format, type, references, bytes, chunks}
 * R + ("i", id, "t", n)               chunk n of its canonical text (UTF-8, at most 90,000 bytes a chunk)
 * R + ("i", id, "u", subject, version)  a version that registers the id: tuple (deleted 0 / 1)
 * R + ("h", sha256)                   identity index: SHA-256 of (type, canonical text, references) -> tuple (id)
 * R + ("s", subject)                  subject summary: tuple (1, live versions, all versions); absent = no versions
 * R + ("v", subject, version)         a version: tuple (1, id, deleted 0 / 1)
 * R + ("r", subject, version, id)     referenced-by index: schema id refers to that version (empty value)
 * R + ("gc") / R + ("sc", subject)    compatibility level of the tenant / of a subject: tuple (name)
 * R + ("gm") / R + ("sm", subject)    mode of the tenant / of a subject: tuple (name)
 * </pre>
 *
 * <p>A schema's record (its "i" keys, identity and referenced-by entries) lives as long as some
 * version, soft-deleted or not, registers it; the counter only grows, so an id never names
 * another schema, even after a hard delete.
 */
final class SchemaKeys {
    private SchemaKeys() {}

    static Subspace registry(String tenant) {
        return RootKeySpace.tenant(tenant).get("sr");
    }

    static byte[] lastId(String tenant) {
        return registry(tenant).pack(Tuple.from("n"));
    }

    static byte[] changes(String tenant) {
        return registry(tenant).pack(Tuple.from("c"));
    }

    static Subspace schema(String tenant, int id) {
        return registry(tenant).get("i").get(id);
    }

    static byte[] schemaMeta(String tenant, int id) {
        return schema(tenant, id).pack(Tuple.from("m"));
    }

    static Subspace schemaText(String tenant, int id) {
        return schema(tenant, id).get("t");
    }

    static Subspace schemaUses(String tenant, int id) {
        return schema(tenant, id).get("u");
    }

    static byte[] schemaUse(String tenant, int id, String subject, int version) {
        return schemaUses(tenant, id).pack(Tuple.from(subject, version));
    }

    static byte[] identity(String tenant, byte[] sha256) {
        return registry(tenant).get("h").pack(Tuple.from((Object) sha256));
    }

    static Subspace subjects(String tenant) {
        return registry(tenant).get("s");
    }

    static byte[] subject(String tenant, String subject) {
        return subjects(tenant).pack(Tuple.from(subject));
    }

    static Subspace versions(String tenant, String subject) {
        return registry(tenant).get("v").get(subject);
    }

    static byte[] version(String tenant, String subject, int version) {
        return versions(tenant, subject).pack(Tuple.from(version));
    }

    static Subspace referencedBy(String tenant, String subject, int version) {
        return registry(tenant).get("r").get(subject).get(version);
    }

    static byte[] reference(String tenant, String subject, int version, int referrerId) {
        return referencedBy(tenant, subject, version).pack(Tuple.from(referrerId));
    }

    static byte[] tenantCompatibility(String tenant) {
        return registry(tenant).pack(Tuple.from("gc"));
    }

    static byte[] subjectCompatibility(String tenant, String subject) {
        return registry(tenant).get("sc").pack(Tuple.from(subject));
    }

    static byte[] tenantMode(String tenant) {
        return registry(tenant).pack(Tuple.from("gm"));
    }

    static byte[] subjectMode(String tenant, String subject) {
        return registry(tenant).get("sm").pack(Tuple.from(subject));
    }
}
