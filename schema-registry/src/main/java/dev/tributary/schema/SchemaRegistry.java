package dev.tributary.schema;

import com.apple.foundationdb.tuple.Tuple;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.schema.provider.ParsedSchema;
import dev.tributary.schema.provider.ResolvedReference;
import dev.tributary.schema.provider.SchemaProvider;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A tenant-scoped schema registry over the storage SPI, with the semantics of Confluent's Schema
 * Registry: subjects hold numbered versions, each version registers a schema id; an identical
 * schema (same type, canonical text and references) has the same id in the whole tenant; ids come
 * from a per-tenant counter in the registering transaction and are never reused; versions are
 * soft-deleted first and then, on request, permanently; a version another schema refers to cannot
 * be deleted; compatibility levels and modes are set for the tenant and per subject. Keys are in
 * {@link SchemaKeys}.
 *
 * <p>Every request is one transaction, so it is checked and applied against one consistent view,
 * and a request refused for any reason writes nothing. Plain Java: the REST API, the data plane
 * and tests use it without CDI.
 */
public final class SchemaRegistry {
    /** Most schemas one schema may pull in through its references, directly and transitively. */
    public static final int MAX_REFERENCES = 100;
    /** The text of a schema and of everything it references together: at most this many times the schema limit. */
    public static final int MAX_RESOLVED_FACTOR = 4;
    private static final int CHUNK_BYTES = 90_000;
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1).array();

    /** Stored description of what an id names; the text is in chunks next to it. */
    record Meta(int format, String type, List<SchemaReference> references, int bytes, int chunks) {}

    private record ParsedKey(String tenant, int id) {}

    private final KeyValueStore store;
    private final SchemaProviders providers;
    private final SchemaRegistrySettings settings;
    /** Parsed schemas by id: what an id names never changes, so entries never go stale. */
    private final BoundedCache<ParsedKey, ParsedSchema> parsed = new BoundedCache<>(2048, 0, System::nanoTime);
    private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();

    public SchemaRegistry(KeyValueStore store, SchemaProviders providers, SchemaRegistrySettings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.providers = Objects.requireNonNull(providers, "providers");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public SchemaRegistrySettings settings() {
        return settings;
    }

    /** Called with the tenant after every committed change on this node (caches drop what they hold for it). */
    public void addChangeListener(Consumer<String> listener) {
        changeListeners.add(listener);
    }

    /** The supported schema types. */
    public List<String> types() {
        return providers.types();
    }

    // ---------------------------------------------------------------- subjects and versions

    /** Subjects with a live version (and, with {@code includeDeleted}, those whose versions are all soft-deleted), in name order. */
    public List<String> subjects(String tenant, boolean includeDeleted, String prefix) {
        return store.read(tx -> {
            List<String> names = new ArrayList<>();
            for (KeyValue kv : tx.getRangeStartsWith(SchemaKeys.subjects(tenant).pack()).join()) {
                String name = SchemaKeys.subjects(tenant).unpack(kv.key()).getString(0);
                Tuple summary = Tuple.fromBytes(kv.value());
                boolean visible = summary.getLong(1) > 0 || (includeDeleted && summary.getLong(2) > 0);
                if (visible && (prefix == null || name.startsWith(prefix))) {
                    names.add(name);
                }
            }
            return names;
        });
    }

    /** Version numbers of a subject, ascending; SUBJECT_NOT_FOUND when it has none (that are not soft-deleted, unless included). */
    public List<Integer> versions(String tenant, String subject, boolean includeDeleted) {
        requireReadable(subject);
        return store.read(tx -> {
            List<Integer> numbers = new ArrayList<>();
            for (SubjectVersion v : readVersions(tx, tenant, subject)) {
                if (includeDeleted || !v.deleted()) {
                    numbers.add(v.version());
                }
            }
            if (numbers.isEmpty()) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            return numbers;
        });
    }

    /** One version with its schema. "latest" is the highest version not soft-deleted (or the highest, when deleted ones are included). */
    public VersionedSchema version(String tenant, String subject, VersionRef ref, boolean includeDeleted) {
        requireReadable(subject);
        return store.read(tx -> {
            SubjectVersion v = findVersion(readVersions(tx, tenant, subject), subject, ref, includeDeleted);
            return new VersionedSchema(v, readSchema(tx, tenant, v.id()).orElseThrow(() -> damaged(tenant, v)));
        });
    }

    /** The schema ids that refer to a version. */
    public List<Integer> referencedBy(String tenant, String subject, VersionRef ref) {
        requireReadable(subject);
        return store.read(tx -> {
            SubjectVersion v = findVersion(readVersions(tx, tenant, subject), subject, ref, true);
            return referrers(tx, tenant, subject, v.version());
        });
    }

    /**
     * Registers {@code input} under {@code subject} and returns the version that registers it. An
     * identical schema already registered (not soft-deleted) under the subject is answered with its
     * version, whatever the mode. Otherwise the mode must allow it (READWRITE; IMPORT when an id or
     * a version is given), the schema must be compatible with the subject's earlier versions at the
     * effective level (not checked in IMPORT mode), and it gets the id the tenant already has for an
     * identical schema, the given id (IMPORT), or the next one from the tenant's counter.
     */
    public SubjectVersion register(String tenant, String subject, SchemaInput input, Integer explicitId, Integer explicitVersion) {
        Names.requireValidSubject(subject);
        SchemaProvider provider = checkInput(input);
        if (explicitId != null && explicitId < 1) {
            throw new SchemaRegistryException(SchemaErrorCode.ID_DOES_NOT_MATCH, "Schema ids are from 1 to 2^31-1, not " + explicitId);
        }
        if (explicitVersion != null && explicitVersion < 1) {
            throw new SchemaRegistryException(SchemaErrorCode.INVALID_VERSION, "The specified version '" + explicitVersion
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1]");
        }
        SubjectVersion result = store.run(tx -> {
            Resolution resolution = resolveReferences(tx, tenant, input.references(), input.schema());
            ParsedSchema schema = provider.parse(input.schema(), resolution.resolved());
            List<SchemaReference> references = resolution.direct();
            byte[] hash = identityHash(provider.type(), schema.canonical(), references);
            Integer existingId = findIdentical(tx, tenant, hash, provider.type(), schema.canonical(), references);
            List<SubjectVersion> versions = readVersions(tx, tenant, subject);
            if (existingId != null && (explicitId == null || explicitId.equals(existingId))) {
                for (int i = versions.size() - 1; i >= 0; i--) {
                    SubjectVersion v = versions.get(i);
                    if (!v.deleted() && v.id() == existingId && (explicitVersion == null || explicitVersion == v.version())) {
                        return v;
                    }
                }
            }
            Mode mode = effectiveMode(tx, tenant, subject);
            if (mode == Mode.READONLY) {
                throw SchemaRegistryException.notPermitted("Subject '" + Names.printable(subject) + "' is in read-only mode");
            }
            boolean explicit = explicitId != null || explicitVersion != null;
            if (explicit && mode != Mode.IMPORT) {
                throw SchemaRegistryException.notPermitted("Subject '" + Names.printable(subject) + "' is not in import mode:"
                        + " a schema id or version may be given only in IMPORT mode");
            }
            if (!explicit && mode != Mode.READWRITE) {
                throw SchemaRegistryException.notPermitted("Subject '" + Names.printable(subject) + "' is not in read-write mode:"
                        + " in IMPORT mode a registration gives the schema id");
            }
            if (mode != Mode.IMPORT) {
                CompatibilityLevel level = effectiveCompatibility(tx, tenant, subject);
                List<String> problems = problems(tx, tenant, schema, level, against(versions, level));
                if (!problems.isEmpty()) {
                    throw new SchemaRegistryException(SchemaErrorCode.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible"
                            + " with an earlier schema for subject '" + Names.printable(subject) + "' (compatibility " + level
                            + "): " + String.join("; ", problems));
                }
            }

            int id;
            boolean newSchema;
            if (explicitId != null) {
                if (existingId != null && !existingId.equals(explicitId)) {
                    throw new SchemaRegistryException(SchemaErrorCode.ID_DOES_NOT_MATCH, "Schema already registered with id "
                            + existingId + " instead of input id " + explicitId);
                }
                newSchema = existingId == null;
                if (newSchema && tx.get(SchemaKeys.schemaMeta(tenant, explicitId)).join() != null) {
                    throw SchemaRegistryException.notPermitted("Overwrite new schema with id " + explicitId + " is not permitted.");
                }
                id = explicitId;
                long last = lastId(tx, tenant);
                if (id > last) {
                    tx.set(SchemaKeys.lastId(tenant), Tuple.from(id).pack());
                }
            } else if (existingId != null) {
                id = existingId;
                newSchema = false;
            } else {
                long next = lastId(tx, tenant) + 1;
                if (next > Integer.MAX_VALUE) {
                    throw new SchemaRegistryException(SchemaErrorCode.STORE_ERROR, "The tenant has used every schema id");
                }
                id = (int) next;
                tx.set(SchemaKeys.lastId(tenant), Tuple.from(id).pack());
                newSchema = true;
            }

            int version;
            if (explicitVersion != null) {
                for (SubjectVersion v : versions) {
                    if (v.version() == explicitVersion) {
                        throw SchemaRegistryException.notPermitted("Version " + explicitVersion + " of subject '"
                                + Names.printable(subject) + "' already exists (schema id " + v.id() + ")");
                    }
                }
                version = explicitVersion;
            } else {
                long next = versions.isEmpty() ? 1 : (long) versions.get(versions.size() - 1).version() + 1;
                if (next > Integer.MAX_VALUE) {
                    throw SchemaRegistryException.notPermitted("Subject '" + Names.printable(subject) + "' has used every version number");
                }
                version = (int) next;
            }

            if (newSchema) {
                writeSchema(tx, tenant, id, provider.type(), schema.canonical(), references, hash);
            }
            tx.set(SchemaKeys.version(tenant, subject, version), Tuple.from(FORMAT, id, 0).pack());
            tx.set(SchemaKeys.schemaUse(tenant, id, subject, version), Tuple.from(0).pack());
            adjustSummary(tx, tenant, subject, 1, 1);
            changed(tx, tenant);
            return new SubjectVersion(subject, version, id, false);
        });
        notifyChanged(tenant);
        return result;
    }

    /**
     * The version of {@code subject} that registers a schema identical to {@code input}: the
     * highest such version, soft-deleted ones only when included. SUBJECT_NOT_FOUND, or
     * SCHEMA_NOT_FOUND when the subject has no such version.
     */
    public VersionedSchema lookup(String tenant, String subject, SchemaInput input, boolean includeDeleted) {
        requireReadable(subject);
        SchemaProvider provider = checkInput(input);
        return store.read(tx -> {
            List<SubjectVersion> versions = readVersions(tx, tenant, subject);
            if (versions.stream().noneMatch(v -> includeDeleted || !v.deleted())) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            Resolution resolution = resolveReferences(tx, tenant, input.references(), input.schema());
            ParsedSchema schema = provider.parse(input.schema(), resolution.resolved());
            byte[] hash = identityHash(provider.type(), schema.canonical(), resolution.direct());
            Integer id = findIdentical(tx, tenant, hash, provider.type(), schema.canonical(), resolution.direct());
            if (id != null) {
                for (int i = versions.size() - 1; i >= 0; i--) {
                    SubjectVersion v = versions.get(i);
                    if (v.id() == id && (includeDeleted || !v.deleted())) {
                        return new VersionedSchema(v, readSchema(tx, tenant, id).orElseThrow(() -> damaged(tenant, v)));
                    }
                }
            }
            throw SchemaRegistryException.schemaNotFound("");
        });
    }

    /**
     * Whether {@code input} could be registered under {@code subject} as far as compatibility goes:
     * checked against the version {@code ref} names, or, when {@code ref} is null, against the
     * versions the effective level names (the latest, or every live one for transitive levels).
     * "latest" of a subject without live versions is compatible; a numbered version must exist
     * and not be soft-deleted.
     */
    public CompatibilityResult checkCompatibility(String tenant, String subject, VersionRef ref, SchemaInput input) {
        requireReadable(subject);
        SchemaProvider provider = checkInput(input);
        return store.read(tx -> {
            List<SubjectVersion> versions = readVersions(tx, tenant, subject);
            List<SubjectVersion> target;
            CompatibilityLevel level = effectiveCompatibility(tx, tenant, subject);
            if (ref == null) {
                target = against(versions, level);
            } else if (ref.isLatest()) {
                target = against(versions, CompatibilityLevel.BACKWARD);
            } else {
                target = List.of(findVersion(versions, subject, ref, false));
            }
            Resolution resolution = resolveReferences(tx, tenant, input.references(), input.schema());
            ParsedSchema schema = provider.parse(input.schema(), resolution.resolved());
            List<String> problems = problems(tx, tenant, schema, level, target);
            return new CompatibilityResult(problems.isEmpty(), problems);
        });
    }

    /** Soft-deletes a version, or with {@code permanent} removes a soft-deleted one; returns its number. */
    public int deleteVersion(String tenant, String subject, VersionRef ref, boolean permanent) {
        requireReadable(subject);
        int deleted = store.run(tx -> {
            requireWritableMode(tx, tenant, subject);
            List<SubjectVersion> versions = readVersions(tx, tenant, subject);
            if (versions.isEmpty()) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            SubjectVersion target = ref.isLatest() && permanent ? versions.get(versions.size() - 1)
                    : findVersion(versions, subject, ref, true);
            if (!permanent && target.deleted()) {
                throw new SchemaRegistryException(SchemaErrorCode.VERSION_SOFT_DELETED, "Subject '" + Names.printable(subject)
                        + "' Version " + target.version() + " was soft deleted. Set permanent=true to delete permanently");
            }
            if (permanent && !target.deleted()) {
                throw new SchemaRegistryException(SchemaErrorCode.VERSION_NOT_SOFT_DELETED, "Subject '" + Names.printable(subject)
                        + "' Version " + target.version() + " was not deleted first before being permanently deleted");
            }
            requireUnreferenced(tx, tenant, target);
            if (permanent) {
                hardDelete(tx, tenant, target);
            } else {
                softDelete(tx, tenant, target);
                if (versions.stream().noneMatch(v -> !v.deleted() && v.version() != target.version())) {
                    clearSubjectSettings(tx, tenant, subject);
                }
            }
            changed(tx, tenant);
            return target.version();
        });
        notifyChanged(tenant);
        return deleted;
    }

    /**
     * Soft-deletes every live version of a subject (and its own compatibility level and mode), or
     * with {@code permanent} removes a subject whose versions are all soft-deleted; returns the
     * versions deleted.
     */
    public List<Integer> deleteSubject(String tenant, String subject, boolean permanent) {
        requireReadable(subject);
        List<Integer> deleted = store.run(tx -> {
            requireWritableMode(tx, tenant, subject);
            List<SubjectVersion> versions = readVersions(tx, tenant, subject);
            if (versions.isEmpty()) {
                throw SchemaRegistryException.subjectNotFound(subject);
            }
            List<SubjectVersion> live = versions.stream().filter(v -> !v.deleted()).toList();
            List<Integer> numbers = new ArrayList<>();
            if (!permanent) {
                if (live.isEmpty()) {
                    throw new SchemaRegistryException(SchemaErrorCode.SUBJECT_SOFT_DELETED, "Subject '" + Names.printable(subject)
                            + "' was soft deleted. Set permanent=true to delete permanently");
                }
                for (SubjectVersion v : live) {
                    requireUnreferenced(tx, tenant, v);
                }
                for (SubjectVersion v : live) {
                    softDelete(tx, tenant, v);
                    numbers.add(v.version());
                }
                clearSubjectSettings(tx, tenant, subject);
            } else {
                if (!live.isEmpty()) {
                    throw new SchemaRegistryException(SchemaErrorCode.SUBJECT_NOT_SOFT_DELETED, "Subject '"
                            + Names.printable(subject) + "' was not deleted first before being permanently deleted");
                }
                for (SubjectVersion v : versions) {
                    requireUnreferenced(tx, tenant, v);
                }
                for (SubjectVersion v : versions) {
                    hardDelete(tx, tenant, v);
                    numbers.add(v.version());
                }
            }
            changed(tx, tenant);
            return numbers;
        });
        notifyChanged(tenant);
        return deleted;
    }

    // ---------------------------------------------------------------- schemas by id

    /** What {@code id} names in the tenant (soft-deleted versions included); SCHEMA_NOT_FOUND otherwise. */
    public RegisteredSchema schema(String tenant, int id) {
        return findSchema(tenant, id).orElseThrow(() -> SchemaRegistryException.schemaNotFound(id));
    }

    /** What {@code id} names in the tenant, if anything. */
    public Optional<RegisteredSchema> findSchema(String tenant, int id) {
        if (id < 1) {
            return Optional.empty();
        }
        return store.read(tx -> readSchema(tx, tenant, id));
    }

    /** The versions that register {@code id}, in subject and version order; SCHEMA_NOT_FOUND when the id names nothing. */
    public List<SubjectVersion> versionsOf(String tenant, int id, boolean includeDeleted) {
        if (id < 1) {
            throw SchemaRegistryException.schemaNotFound(id);
        }
        return store.read(tx -> {
            if (tx.get(SchemaKeys.schemaMeta(tenant, id)).join() == null) {
                throw SchemaRegistryException.schemaNotFound(id);
            }
            return uses(tx, tenant, id, includeDeleted);
        });
    }

    /** Whether a live (not soft-deleted) version of {@code subject} registers {@code id}: what produce-time validation asks. */
    public boolean subjectHasId(String tenant, String subject, int id) {
        if (id < 1 || !isValidSubject(subject)) {
            return false;
        }
        return store.read(tx -> {
            byte[] prefix = SchemaKeys.schemaUses(tenant, id).get(subject).pack();
            for (KeyValue kv : tx.getRangeStartsWith(prefix).join()) {
                if (Tuple.fromBytes(kv.value()).getLong(0) == 0) {
                    return true;
                }
            }
            return false;
        });
    }

    // ---------------------------------------------------------------- compatibility levels and modes

    /** The tenant's compatibility level: as set, else the configured default. */
    public CompatibilityLevel tenantCompatibility(String tenant) {
        return store.read(tx -> readLevel(tx, SchemaKeys.tenantCompatibility(tenant)).orElse(settings.defaultCompatibility()));
    }

    public CompatibilityLevel setTenantCompatibility(String tenant, CompatibilityLevel level) {
        return write(tenant, tx -> {
            tx.set(SchemaKeys.tenantCompatibility(tenant), Tuple.from(level.name()).pack());
            return level;
        });
    }

    /** Returns the tenant to the configured default; answers the level it had. */
    public CompatibilityLevel resetTenantCompatibility(String tenant) {
        return write(tenant, tx -> {
            CompatibilityLevel previous = readLevel(tx, SchemaKeys.tenantCompatibility(tenant)).orElse(settings.defaultCompatibility());
            tx.clear(SchemaKeys.tenantCompatibility(tenant));
            return previous;
        });
    }

    /** The subject's own level, if it has one. */
    public Optional<CompatibilityLevel> subjectCompatibility(String tenant, String subject) {
        requireReadable(subject);
        return store.read(tx -> readLevel(tx, SchemaKeys.subjectCompatibility(tenant, subject)));
    }

    /** The level that applies to the subject: its own, else the tenant's. */
    public CompatibilityLevel effectiveCompatibility(String tenant, String subject) {
        requireReadable(subject);
        return store.read(tx -> effectiveCompatibility(tx, tenant, subject));
    }

    /** Sets a subject's own level; the subject need not have versions yet. */
    public CompatibilityLevel setSubjectCompatibility(String tenant, String subject, CompatibilityLevel level) {
        Names.requireValidSubject(subject);
        return write(tenant, tx -> {
            tx.set(SchemaKeys.subjectCompatibility(tenant, subject), Tuple.from(level.name()).pack());
            return level;
        });
    }

    /** Removes a subject's own level and answers it; SUBJECT_NOT_FOUND or SUBJECT_COMPATIBILITY_NOT_CONFIGURED when there is none. */
    public CompatibilityLevel deleteSubjectCompatibility(String tenant, String subject) {
        requireReadable(subject);
        return write(tenant, tx -> {
            Optional<CompatibilityLevel> own = readLevel(tx, SchemaKeys.subjectCompatibility(tenant, subject));
            if (own.isEmpty()) {
                if (readVersions(tx, tenant, subject).stream().noneMatch(v -> !v.deleted())) {
                    throw SchemaRegistryException.subjectNotFound(subject);
                }
                throw new SchemaRegistryException(SchemaErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED, "Subject '"
                        + Names.printable(subject) + "' does not have subject-level compatibility configured");
            }
            tx.clear(SchemaKeys.subjectCompatibility(tenant, subject));
            return own.get();
        });
    }

    /** The tenant's mode: as set, else READWRITE. */
    public Mode tenantMode(String tenant) {
        return store.read(tx -> readMode(tx, SchemaKeys.tenantMode(tenant)).orElse(Mode.READWRITE));
    }

    /**
     * Sets the tenant's mode. Entering IMPORT while the tenant has subjects (soft-deleted ones
     * included) is refused unless {@code force}: imported ids would collide with its own.
     */
    public Mode setTenantMode(String tenant, Mode mode, boolean force) {
        return write(tenant, tx -> {
            Mode current = readMode(tx, SchemaKeys.tenantMode(tenant)).orElse(Mode.READWRITE);
            if (mode == Mode.IMPORT && current != Mode.IMPORT && !force
                    && !tx.getRange(SchemaKeys.subjects(tenant).range().begin, SchemaKeys.subjects(tenant).range().end, 1, false)
                            .join().isEmpty()) {
                throw SchemaRegistryException.notPermitted("Cannot import since found existing subjects");
            }
            tx.set(SchemaKeys.tenantMode(tenant), Tuple.from(mode.name()).pack());
            return mode;
        });
    }

    public Optional<Mode> subjectMode(String tenant, String subject) {
        requireReadable(subject);
        return store.read(tx -> readMode(tx, SchemaKeys.subjectMode(tenant, subject)));
    }

    /** The mode that applies to the subject: its own, else the tenant's. */
    public Mode effectiveMode(String tenant, String subject) {
        requireReadable(subject);
        return store.read(tx -> effectiveMode(tx, tenant, subject));
    }

    /** Sets a subject's own mode; entering IMPORT while the subject has versions needs {@code force}. */
    public Mode setSubjectMode(String tenant, String subject, Mode mode, boolean force) {
        Names.requireValidSubject(subject);
        return write(tenant, tx -> {
            Mode current = effectiveMode(tx, tenant, subject);
            if (mode == Mode.IMPORT && current != Mode.IMPORT && !force && !readVersions(tx, tenant, subject).isEmpty()) {
                throw SchemaRegistryException.notPermitted("Cannot import since found existing subjects");
            }
            tx.set(SchemaKeys.subjectMode(tenant, subject), Tuple.from(mode.name()).pack());
            return mode;
        });
    }

    /** Removes a subject's own mode and answers it; SUBJECT_NOT_FOUND or SUBJECT_MODE_NOT_CONFIGURED when there is none. */
    public Mode deleteSubjectMode(String tenant, String subject) {
        requireReadable(subject);
        return write(tenant, tx -> {
            Optional<Mode> own = readMode(tx, SchemaKeys.subjectMode(tenant, subject));
            if (own.isEmpty()) {
                if (readVersions(tx, tenant, subject).stream().noneMatch(v -> !v.deleted())) {
                    throw SchemaRegistryException.subjectNotFound(subject);
                }
                throw new SchemaRegistryException(SchemaErrorCode.SUBJECT_MODE_NOT_CONFIGURED, "Subject '"
                        + Names.printable(subject) + "' does not have subject-level mode configured");
            }
            tx.clear(SchemaKeys.subjectMode(tenant, subject));
            return own.get();
        });
    }

    // ---------------------------------------------------------------- internals

    private <T> T write(String tenant, java.util.function.Function<Transaction, T> body) {
        T result = store.run(tx -> {
            T value = body.apply(tx);
            changed(tx, tenant);
            return value;
        });
        notifyChanged(tenant);
        return result;
    }

    private void notifyChanged(String tenant) {
        for (Consumer<String> listener : changeListeners) {
            listener.accept(tenant);
        }
    }

    private static void changed(Transaction tx, String tenant) {
        tx.mutate(MutationType.ADD, SchemaKeys.changes(tenant), ONE);
    }

    /** Checks what can be checked before any read: type, emptiness, size, references' shape. */
    private SchemaProvider checkInput(SchemaInput input) {
        if (input == null || input.schema() == null || input.schema().isBlank()) {
            throw SchemaRegistryException.invalidSchema("Empty schema");
        }
        SchemaProvider provider = providers.forType(input.type());
        int bytes = utf8Length(input.schema());
        if (bytes > settings.maxSchemaBytes()) {
            throw new SchemaRegistryException(SchemaErrorCode.SCHEMA_TOO_LARGE, "The schema is " + bytes + " bytes (UTF-8), more than"
                    + " the limit of " + settings.maxSchemaBytes() + " (tributary.schema-registry.max-schema-bytes)");
        }
        if (input.references().size() > MAX_REFERENCES) {
            throw SchemaRegistryException.invalidSchema("Invalid schema: more than " + MAX_REFERENCES + " references");
        }
        Set<String> names = new HashSet<>();
        for (SchemaReference ref : input.references()) {
            if (ref.name().isEmpty()) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: a reference has no name");
            }
            if (!names.add(ref.name())) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: the reference name '" + Names.printable(ref.name())
                        + "' is given twice");
            }
            if (!isValidSubject(ref.subject())) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: the reference '" + Names.printable(ref.name())
                        + "' names an invalid subject '" + Names.printable(ref.subject()) + "'");
            }
            if (ref.version() < 1 && ref.version() != -1) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: the reference '" + Names.printable(ref.name())
                        + "' names version " + ref.version() + " (versions are from 1, or -1 for the latest)");
            }
        }
        return provider;
    }

    private static int utf8Length(String s) {
        // Counted without encoding: a schema near the limit would otherwise be copied once more.
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static boolean isValidSubject(String subject) {
        try {
            Names.requireValidSubject(subject);
            return true;
        } catch (SchemaRegistryException e) {
            return false;
        }
    }

    /** Reads of a name that can never be stored find nothing: SUBJECT_NOT_FOUND, as for any absent subject. */
    private static void requireReadable(String subject) {
        if (!isValidSubject(subject)) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
    }

    private static List<SubjectVersion> readVersions(ReadTransaction tx, String tenant, String subject) {
        List<SubjectVersion> versions = new ArrayList<>();
        for (KeyValue kv : tx.getRangeStartsWith(SchemaKeys.versions(tenant, subject).pack()).join()) {
            int number = (int) SchemaKeys.versions(tenant, subject).unpack(kv.key()).getLong(0);
            Tuple value = Tuple.fromBytes(kv.value());
            versions.add(new SubjectVersion(subject, number, (int) value.getLong(1), value.getLong(2) != 0));
        }
        return versions;
    }

    /**
     * The version {@code ref} names. SUBJECT_NOT_FOUND when the subject has no version that counts
     * (soft-deleted ones count only when included), VERSION_NOT_FOUND when that version does not.
     */
    private static SubjectVersion findVersion(List<SubjectVersion> versions, String subject, VersionRef ref, boolean includeDeleted) {
        List<SubjectVersion> visible = versions.stream().filter(v -> includeDeleted || !v.deleted()).toList();
        if (visible.isEmpty()) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        if (ref.isLatest()) {
            List<SubjectVersion> live = versions.stream().filter(v -> !v.deleted()).toList();
            return live.isEmpty() ? visible.get(visible.size() - 1) : live.get(live.size() - 1);
        }
        for (SubjectVersion v : visible) {
            if (v.version() == ref.number()) {
                return v;
            }
        }
        throw SchemaRegistryException.versionNotFound(subject, ref.number());
    }

    /** The live versions a level compares with: every one for transitive levels, else the latest. */
    private static List<SubjectVersion> against(List<SubjectVersion> versions, CompatibilityLevel level) {
        List<SubjectVersion> live = versions.stream().filter(v -> !v.deleted()).toList();
        if (live.isEmpty() || level.transitive()) {
            return live;
        }
        return List.of(live.get(live.size() - 1));
    }

    /** What breaks between {@code schema} and each earlier version, newest first, in the level's directions. */
    private List<String> problems(ReadTransaction tx, String tenant, ParsedSchema schema, CompatibilityLevel level,
            List<SubjectVersion> earlier) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE) {
            return problems;
        }
        for (int i = earlier.size() - 1; i >= 0; i--) {
            SubjectVersion v = earlier.get(i);
            ParsedSchema old = parsed(tx, tenant, v.id());
            if (!old.type().equals(schema.type())) {
                problems.add("version " + v.version() + " is a schema of type " + old.type() + ", the new one of type " + schema.type());
                continue;
            }
            if (level.backward()) {
                for (String p : schema.readIncompatibilities(old)) {
                    problems.add("the new schema cannot read data written with version " + v.version() + ": " + p);
                }
            }
            if (level.forward()) {
                for (String p : old.readIncompatibilities(schema)) {
                    problems.add("version " + v.version() + " cannot read data written with the new schema: " + p);
                }
            }
        }
        return problems;
    }

    /** The parsed schema an id names, from the cache or parsed with its references. */
    private ParsedSchema parsed(ReadTransaction tx, String tenant, int id) {
        ParsedKey key = new ParsedKey(tenant, id);
        ParsedSchema cached = parsed.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema stored = readSchema(tx, tenant, id).orElseThrow(() -> new IllegalStateException(
                "schema id " + id + " of tenant " + tenant + " is registered by a version but not stored"));
        Resolution resolution = resolveReferences(tx, tenant, stored.references(), stored.schema());
        ParsedSchema schema;
        try {
            schema = providers.forType(stored.type()).parse(stored.schema(), resolution.resolved());
        } catch (SchemaRegistryException e) {
            throw new IllegalStateException("stored schema id " + id + " of tenant " + tenant + " no longer parses: " + e.getMessage(), e);
        }
        parsed.put(key, schema);
        return schema;
    }

    /** References with "latest" pinned to a number, and everything they pull in, each after what it refers to. */
    private record Resolution(List<SchemaReference> direct, List<ResolvedReference> resolved) {}

    private Resolution resolveReferences(ReadTransaction tx, String tenant, List<SchemaReference> references, String schemaText) {
        List<SchemaReference> direct = new ArrayList<>();
        Map<String, ResolvedReference> ordered = new LinkedHashMap<>();
        long[] budget = {(long) settings.maxSchemaBytes() * MAX_RESOLVED_FACTOR - utf8Length(schemaText)};
        for (SchemaReference ref : references) {
            List<SubjectVersion> versions = readVersions(tx, tenant, ref.subject());
            SubjectVersion target = null;
            for (SubjectVersion v : versions) {
                if (ref.version() == -1 ? !v.deleted() : v.version() == ref.version()) {
                    target = v;
                }
            }
            if (target == null) {
                throw SchemaRegistryException.invalidSchema("Invalid schema: the reference '" + Names.printable(ref.name())
                        + "' names subject '" + Names.printable(ref.subject()) + "' version "
                        + (ref.version() == -1 ? "latest" : Integer.toString(ref.version())) + ", which does not exist");
            }
            SchemaReference pinned = new SchemaReference(ref.name(), ref.subject(), target.version());
            direct.add(pinned);
            visit(tx, tenant, pinned, target.id(), ordered, new HashSet<>(), budget);
        }
        return new Resolution(direct, new ArrayList<>(ordered.values()));
    }

    private void visit(ReadTransaction tx, String tenant, SchemaReference ref, int id, Map<String, ResolvedReference> ordered,
            Set<String> path, long[] budget) {
        String key = ref.subject() + "\u0000" + ref.version();
        if (ordered.containsKey(key)) {
            return;
        }
        if (!path.add(key)) {
            throw new IllegalStateException("reference cycle through subject " + ref.subject() + " version " + ref.version());
        }
        RegisteredSchema schema = readSchema(tx, tenant, id).orElseThrow(() -> new IllegalStateException(
                "schema id " + id + " of tenant " + tenant + " is referenced but not stored"));
        for (SchemaReference inner : schema.references()) {
            byte[] value = tx.get(SchemaKeys.version(tenant, inner.subject(), inner.version())).join();
            if (value == null) {
                throw new IllegalStateException("subject " + inner.subject() + " version " + inner.version()
                        + " is referenced by schema id " + id + " of tenant " + tenant + " but does not exist");
            }
            visit(tx, tenant, inner, (int) Tuple.fromBytes(value).getLong(1), ordered, path, budget);
        }
        path.remove(key);
        budget[0] -= utf8Length(schema.schema());
        if (ordered.size() >= MAX_REFERENCES || budget[0] < 0) {
            throw SchemaRegistryException.invalidSchema("Invalid schema: its references pull in more than " + MAX_REFERENCES
                    + " schemas or, with the schema itself, more than " + MAX_RESOLVED_FACTOR
                    + " times tributary.schema-registry.max-schema-bytes of text");
        }
        ordered.put(key, new ResolvedReference(ref, schema.schema()));
    }

    /** The id of a stored schema identical to this one (same type, canonical text, references), if any. */
    private static Integer findIdentical(ReadTransaction tx, String tenant, byte[] hash, String type, String canonical,
            List<SchemaReference> references) {
        byte[] value = tx.get(SchemaKeys.identity(tenant, hash)).join();
        if (value == null) {
            return null;
        }
        int id = (int) Tuple.fromBytes(value).getLong(0);
        RegisteredSchema stored = readSchema(tx, tenant, id).orElse(null);
        // A SHA-256 collision is not a realistic event, but comparing costs little and makes identity exact.
        if (stored == null || !stored.type().equals(type) || !stored.schema().equals(canonical) || !stored.references().equals(references)) {
            throw new IllegalStateException("identity index of tenant " + tenant + " names schema id " + id + " for other content");
        }
        return id;
    }

    static byte[] identityHash(String type, String canonical, List<SchemaReference> references) {
        Tuple identity = Tuple.from(type, canonical);
        for (SchemaReference ref : references) {
            identity = identity.add(ref.name()).add(ref.subject()).add(ref.version());
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(identity.pack());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static Optional<RegisteredSchema> readSchema(ReadTransaction tx, String tenant, int id) {
        byte[] metaBytes = tx.get(SchemaKeys.schemaMeta(tenant, id)).join();
        if (metaBytes == null) {
            return Optional.empty();
        }
        Meta meta;
        try {
            meta = JSON.readValue(metaBytes, Meta.class);
        } catch (IOException e) {
            throw new IllegalStateException("damaged schema record " + id + " of tenant " + tenant + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream(meta.bytes());
        List<KeyValue> chunks = tx.getRangeStartsWith(SchemaKeys.schemaText(tenant, id).pack()).join();
        if (chunks.size() != meta.chunks()) {
            throw new IllegalStateException("schema record " + id + " of tenant " + tenant + " has " + chunks.size()
                    + " chunks instead of " + meta.chunks());
        }
        for (KeyValue chunk : chunks) {
            text.writeBytes(chunk.value());
        }
        return Optional.of(new RegisteredSchema(id, meta.type(), text.toString(StandardCharsets.UTF_8),
                meta.references() == null ? List.of() : meta.references()));
    }

    private static void writeSchema(Transaction tx, String tenant, int id, String type, String canonical,
            List<SchemaReference> references, byte[] hash) {
        byte[] text = canonical.getBytes(StandardCharsets.UTF_8);
        int chunks = Math.max(1, (text.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        for (int n = 0; n < chunks; n++) {
            tx.set(SchemaKeys.schemaText(tenant, id).pack(Tuple.from(n)),
                    Arrays.copyOfRange(text, n * CHUNK_BYTES, Math.min(text.length, (n + 1) * CHUNK_BYTES)));
        }
        try {
            tx.set(SchemaKeys.schemaMeta(tenant, id), JSON.writeValueAsBytes(new Meta(FORMAT, type, references, text.length, chunks)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tx.set(SchemaKeys.identity(tenant, hash), Tuple.from(id).pack());
        for (SchemaReference ref : references) {
            tx.set(SchemaKeys.reference(tenant, ref.subject(), ref.version(), id), new byte[0]);
        }
    }

    private static List<SubjectVersion> uses(ReadTransaction tx, String tenant, int id, boolean includeDeleted) {
        List<SubjectVersion> uses = new ArrayList<>();
        for (KeyValue kv : tx.getRangeStartsWith(SchemaKeys.schemaUses(tenant, id).pack()).join()) {
            Tuple key = SchemaKeys.schemaUses(tenant, id).unpack(kv.key());
            boolean deleted = Tuple.fromBytes(kv.value()).getLong(0) != 0;
            if (includeDeleted || !deleted) {
                uses.add(new SubjectVersion(key.getString(0), (int) key.getLong(1), id, deleted));
            }
        }
        return uses;
    }

    private static List<Integer> referrers(ReadTransaction tx, String tenant, String subject, int version) {
        List<Integer> ids = new ArrayList<>();
        for (KeyValue kv : tx.getRangeStartsWith(SchemaKeys.referencedBy(tenant, subject, version).pack()).join()) {
            ids.add((int) SchemaKeys.referencedBy(tenant, subject, version).unpack(kv.key()).getLong(0));
        }
        return ids;
    }

    private static void requireUnreferenced(ReadTransaction tx, String tenant, SubjectVersion v) {
        List<Integer> ids = referrers(tx, tenant, v.subject(), v.version());
        if (!ids.isEmpty()) {
            throw new SchemaRegistryException(SchemaErrorCode.REFERENCE_EXISTS, "One or more references exist to the schema {subject="
                    + Names.printable(v.subject()) + ",version=" + v.version() + "}: schema ids " + ids);
        }
    }

    private static void requireWritableMode(ReadTransaction tx, String tenant, String subject) {
        if (effectiveMode(tx, tenant, subject) == Mode.READONLY) {
            throw SchemaRegistryException.notPermitted("Subject '" + Names.printable(subject) + "' is in read-only mode");
        }
    }

    private static void softDelete(Transaction tx, String tenant, SubjectVersion v) {
        tx.set(SchemaKeys.version(tenant, v.subject(), v.version()), Tuple.from(FORMAT, v.id(), 1).pack());
        tx.set(SchemaKeys.schemaUse(tenant, v.id(), v.subject(), v.version()), Tuple.from(1).pack());
        adjustSummary(tx, tenant, v.subject(), -1, 0);
    }

    /** Removes a soft-deleted version; the schema record goes with the last version that registers it. */
    private static void hardDelete(Transaction tx, String tenant, SubjectVersion v) {
        tx.clear(SchemaKeys.version(tenant, v.subject(), v.version()));
        tx.clear(SchemaKeys.schemaUse(tenant, v.id(), v.subject(), v.version()));
        adjustSummary(tx, tenant, v.subject(), 0, -1);
        if (!uses(tx, tenant, v.id(), true).isEmpty()) {
            return;
        }
        RegisteredSchema schema = readSchema(tx, tenant, v.id()).orElseThrow(() -> damaged(tenant, v));
        tx.clear(SchemaKeys.identity(tenant, identityHash(schema.type(), schema.schema(), schema.references())));
        for (SchemaReference ref : schema.references()) {
            tx.clear(SchemaKeys.reference(tenant, ref.subject(), ref.version(), v.id()));
        }
        byte[] record = SchemaKeys.schema(tenant, v.id()).pack();
        tx.clearRange(record, Keys.prefixEnd(record));
    }

    private static void adjustSummary(Transaction tx, String tenant, String subject, int liveDelta, int totalDelta) {
        byte[] key = SchemaKeys.subject(tenant, subject);
        byte[] value = tx.get(key).join();
        long live = 0;
        long total = 0;
        if (value != null) {
            Tuple t = Tuple.fromBytes(value);
            live = t.getLong(1);
            total = t.getLong(2);
        }
        live += liveDelta;
        total += totalDelta;
        if (total <= 0) {
            tx.clear(key);
        } else {
            tx.set(key, Tuple.from(FORMAT, live, total).pack());
        }
    }

    /** A subject's own level and mode go when its last live version does, as in Confluent's registry. */
    private static void clearSubjectSettings(Transaction tx, String tenant, String subject) {
        tx.clear(SchemaKeys.subjectCompatibility(tenant, subject));
        tx.clear(SchemaKeys.subjectMode(tenant, subject));
    }

    private static long lastId(ReadTransaction tx, String tenant) {
        byte[] value = tx.get(SchemaKeys.lastId(tenant)).join();
        return value == null ? 0 : Tuple.fromBytes(value).getLong(0);
    }

    private CompatibilityLevel effectiveCompatibility(ReadTransaction tx, String tenant, String subject) {
        return readLevel(tx, SchemaKeys.subjectCompatibility(tenant, subject))
                .or(() -> readLevel(tx, SchemaKeys.tenantCompatibility(tenant)))
                .orElse(settings.defaultCompatibility());
    }

    private static Mode effectiveMode(ReadTransaction tx, String tenant, String subject) {
        return readMode(tx, SchemaKeys.subjectMode(tenant, subject))
                .or(() -> readMode(tx, SchemaKeys.tenantMode(tenant)))
                .orElse(Mode.READWRITE);
    }

    private static Optional<CompatibilityLevel> readLevel(ReadTransaction tx, byte[] key) {
        byte[] value = tx.get(key).join();
        return value == null ? Optional.empty() : Optional.of(CompatibilityLevel.valueOf(Tuple.fromBytes(value).getString(0)));
    }

    private static Optional<Mode> readMode(ReadTransaction tx, byte[] key) {
        byte[] value = tx.get(key).join();
        return value == null ? Optional.empty() : Optional.of(Mode.valueOf(Tuple.fromBytes(value).getString(0)));
    }

    private static IllegalStateException damaged(String tenant, SubjectVersion v) {
        return new IllegalStateException("subject " + v.subject() + " version " + v.version() + " of tenant " + tenant
                + " registers schema id " + v.id() + ", which is not stored");
    }
}
