package dev.tributary.bench.security;

import com.google.protobuf.ByteString;
import dev.tributary.acl.AclAuthorizer;
import dev.tributary.acl.AclBinding;
import dev.tributary.acl.AclDecision;
import dev.tributary.acl.AclEvaluator;
import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclPatternType;
import dev.tributary.acl.AclPermission;
import dev.tributary.acl.AclPrincipal;
import dev.tributary.acl.AclResourceType;
import dev.tributary.acl.AclRules;
import dev.tributary.acl.AclSnapshot;
import dev.tributary.acl.AclStore;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.security.Roles;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaStore;
import dev.tributary.quota.TenantQuota;
import dev.tributary.storage.embedded.EmbeddedStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the per-call authorization and quota checks cost, on the real embedded store (RocksDB, in a
 * temporary directory deleted at the end), single-threaded:
 * <ul>
 *   <li><b>cached ACL decision</b> ({@link AclAuthorizer#authorize}, the tenant's bindings cached)
 *       for a member principal of a tenant with 1, 100 and 10,000 bindings (a fixed-seed mix of
 *       literal and prefixed, allow and deny, over several principals and every resource type):
 *       a question an ACL allows, and one no ACL matches (denied by default); then the same two
 *       through the data plane's {@link DataPlaneAccess#requireTopic} (what Produce and Fetch call:
 *       the caller's conversion, and for the denial the PERMISSION_DENIED status it throws);
 *   <li><b>reload</b>: the first decision after an ACL change (the store's watch fired, the cache
 *       dropped the tenant): read every binding, index them, set a new watch, decide; with the read
 *       ({@link AclStore#snapshot}) and the indexing and deciding ({@link AclRules}) also timed apart;
 *   <li><b>quota gate</b> ({@link QuotaGate}, over {@link QuotaEnforcer} and a {@link QuotaStore}
 *       with the server's 5 s limits cache): admitting a produce request (one 100 KiB batch) and a
 *       fetch (admit, then charge the bytes returned), for a tenant with limits (high enough never
 *       to throttle) and one without.
 * </ul>
 * Each steady-state case runs a warm-up then a measured window and reports ns per decision (wall
 * time), decisions per second of the benchmark thread's CPU time (less sensitive to other load on
 * the machine), and the share of the window the thread was on a CPU (below ~95%, the wall-time
 * figures are lower bounds). Every answer is checked against the expected one, before and during
 * measurement.
 *
 * <pre>
 * java -cp 'bench/target/tributary-bench.jar:bench/target/lib/*' dev.tributary.bench.security.AuthorizationBenchmark
 *      [--sizes 1,100,10000] [--principals 8] [--warmup-seconds 2] [--measure-seconds 5] [--reloads 30]
 *      [--data-dir DIR]
 * </pre>
 */
public final class AuthorizationBenchmark {

    record Settings(List<Integer> sizes, int principals, long warmupSeconds, long measureSeconds, int reloads, Path dataDir) {}

    /** Operations per second (wall), per CPU-second of the benchmark thread, and the thread's CPU share. */
    record Rate(double perSecond, double cpuShare) {
        double nsPerOp() {
            return 1e9 / perSecond;
        }

        double perCpuSecond() {
            return perSecond / cpuShare;
        }
    }

    /** Per reload: wall and calling-thread CPU time in microseconds (sorted). */
    record Timings(double[] wallMicros, double[] cpuMicros) {
        static Timings of(List<long[]> samples) {
            double[] wall = samples.stream().mapToDouble(s -> s[0] / 1e3).sorted().toArray();
            double[] cpu = samples.stream().mapToDouble(s -> s[1] / 1e3).sorted().toArray();
            return new Timings(wall, cpu);
        }

        double wallPercentile(double p) {
            return percentile(wallMicros, p);
        }

        double cpuMedian() {
            return percentile(cpuMicros, 50);
        }

        private static double percentile(double[] sorted, double p) {
            int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    record AclRow(int bindings, int memberBindings, int memberTopicBindings, Rate allow, Rate denyByDefault, Rate dataPlaneAllow,
            Rate dataPlaneDeny, Timings reload, Timings read, Timings index) {}

    record QuotaRow(String tenantKind, Rate produce, Rate fetch) {}

    private static final String MEMBER = "sa-benchmemberaaaaaaaaa";
    /** What the one binding every size has allows: the produce the benchmark asks about. */
    private static final String ALLOWED_TOPIC = "payments.ledger";
    /** A topic no binding of the member or of "*" matches: denied by default. */
    private static final String UNLISTED_TOPIC = "scratch.unlisted-7";
    private static final String[] TEAMS = {"payments", "orders", "billing", "search", "ml", "ops", "audit", "growth",
        "identity", "catalog", "shipping", "support"};
    private static final String[] ENTITIES = {"events", "commands", "ledger", "snapshots", "changes", "dlq", "metrics",
        "requests", "replies", "audit-log"};
    private static final String[] REGIONS = {"eu", "us", "ap"};

    private AuthorizationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: AuthorizationBenchmark [--sizes 1,100,10000] [--principals 8] [--warmup-seconds 2]"
                    + " [--measure-seconds 5] [--reloads 30] [--data-dir DIR]");
            System.exit(2);
            return;
        }
        Path dir = s.dataDir() != null ? Files.createDirectories(s.dataDir()).resolve("authz-" + System.nanoTime())
                : Files.createTempDirectory("tributary-authz-bench-");
        System.out.println("### Authorization and quota benchmark\n");
        System.out.println("- load average at the start: " + loadAverage());
        System.out.println("- started: " + OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, one benchmark thread");
        System.out.println("- store: embedded RocksDB in " + dir + " (fsync on commit; deleted at the end)");
        System.out.println("- warm-up " + s.warmupSeconds() + " s, " + s.measureSeconds() + " s measured per case; "
                + s.reloads() + " measured reloads per size; " + s.principals() + " principals besides '*'\n");
        List<AclRow> aclRows = new ArrayList<>();
        List<QuotaRow> quotaRows = new ArrayList<>();
        try (EmbeddedStore store = EmbeddedStore.open(dir)) {
            for (int size : s.sizes()) {
                aclRows.add(measureAcls(store, s, size));
            }
            quotaRows.addAll(measureQuotas(store, s));
        } finally {
            deleteRecursively(dir);
        }

        System.out.println("\nCached ACL decision (AclAuthorizer.authorize), member principal:\n");
        System.out.println("| bindings in tenant | the member's / topic bindings of the member and '*' | case | ns/decision | decisions per CPU-s"
                + " | CPU share |");
        System.out.println("|---:|---:|---|---:|---:|---:|");
        for (AclRow r : aclRows) {
            printRate(r, "allowed (literal allow)", r.allow());
            printRate(r, "denied by default (no ACL matches)", r.denyByDefault());
            printRate(r, "data plane `requireTopic`, allowed", r.dataPlaneAllow());
            printRate(r, "data plane `requireTopic`, denied (throws PERMISSION_DENIED)", r.dataPlaneDeny());
        }
        System.out.println("\nFirst decision after an ACL change (reload), microseconds:\n");
        System.out.println("| bindings in tenant | reloads | first decision p50 / p90 / max µs (wall) | its thread CPU p50 µs"
                + " | of which: read all bindings p50 µs | index them and decide p50 µs |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (AclRow r : aclRows) {
            Timings t = r.reload();
            System.out.printf(Locale.ROOT, "| %,d | %d | %,.0f / %,.0f / %,.0f | %,.0f | %,.0f | %,.0f |%n", r.bindings(),
                    t.wallMicros().length, t.wallPercentile(50), t.wallPercentile(90), t.wallPercentile(100), t.cpuMedian(),
                    r.read().wallPercentile(50), r.index().wallPercentile(50));
        }
        System.out.println("\nQuota gate (QuotaGate), per call:\n");
        System.out.println("| tenant | call | ns/call | calls per CPU-s | CPU share |");
        System.out.println("|---|---|---:|---:|---:|");
        for (QuotaRow r : quotaRows) {
            System.out.printf(Locale.ROOT, "| %s | produce: `admitProduce` (1 batch of 100 KiB) | %,.0f | %,.0f | %.0f %% |%n",
                    r.tenantKind(), r.produce().nsPerOp(), r.produce().perCpuSecond(), 100 * r.produce().cpuShare());
            System.out.printf(Locale.ROOT, "| %s | fetch: `admitFetch` + `recordFetched` | %,.0f | %,.0f | %.0f %% |%n",
                    r.tenantKind(), r.fetch().nsPerOp(), r.fetch().perCpuSecond(), 100 * r.fetch().cpuShare());
        }
        System.out.println("\nload average at the end: " + loadAverage());
    }

    private static void printRate(AclRow r, String label, Rate rate) {
        System.out.printf(Locale.ROOT, "| %,d | %,d / %,d | %s | %,.0f | %,.0f | %.0f %% |%n", r.bindings(), r.memberBindings(),
                r.memberTopicBindings(), label, rate.nsPerOp(), rate.perCpuSecond(), 100 * rate.cpuShare());
    }

    // ------------------------------------------------------------------ ACLs

    private static AclRow measureAcls(EmbeddedStore store, Settings s, int size) throws Exception {
        String tenant = "bench-acl-" + size;
        List<AclBinding> bindings = bindings(size, s.principals(), new SplittableRandom(20261123L + size));
        AclStore acls = new AclStore(store);
        long start = System.nanoTime();
        createAll(acls, tenant, bindings);
        int member = (int) bindings.stream().filter(b -> b.principal().equals(MEMBER)).count();
        // What a topic decision for the member has to consider: the topic bindings of the member and of "*".
        int memberTopic = (int) bindings.stream().filter(b -> b.resourceType() == AclResourceType.TOPIC
                && (b.principal().equals(MEMBER) || b.principal().equals(AclBinding.ANY_PRINCIPAL))).count();
        System.out.printf(Locale.ROOT, "tenant %s: %,d bindings stored in %.1f s (the member's %,d; topic bindings of the"
                + " member and '*' %,d)%n", tenant, bindings.size(), (System.nanoTime() - start) / 1e9, member, memberTopic);

        AclPrincipal principal = new AclPrincipal(MEMBER, tenant, false, false);
        Caller caller = new Caller(MEMBER, tenant, Set.of(Roles.MEMBER));
        try (AclAuthorizer authorizer = new AclAuthorizer(acls, AclAuthorizer.DEFAULT_MAX_CACHED_TENANTS)) {
            DataPlaneAccess access = new DataPlaneAccess(() -> caller, authorizer);
            // The answers, checked once here and then on every call of the measured loops.
            expect(authorizer.authorize(principal, tenant, AclOperation.WRITE, AclResourceType.TOPIC, ALLOWED_TOPIC),
                    AclDecision.Basis.ALLOWED_BY_ACL);
            expect(authorizer.authorize(principal, tenant, AclOperation.WRITE, AclResourceType.TOPIC, UNLISTED_TOPIC),
                    AclDecision.Basis.NO_MATCHING_ACL);
            if (!authorizer.isCached(tenant)) {
                throw new IllegalStateException("the tenant's ACLs are not cached after a decision");
            }
            long loadsBefore = authorizer.loads();
            Rate allow = rate(s, () -> {
                if (!authorizer.authorize(principal, tenant, AclOperation.WRITE, AclResourceType.TOPIC, ALLOWED_TOPIC).allowed()) {
                    throw new IllegalStateException("allowed question denied");
                }
            });
            Rate deny = rate(s, () -> {
                if (authorizer.authorize(principal, tenant, AclOperation.WRITE, AclResourceType.TOPIC, UNLISTED_TOPIC).allowed()) {
                    throw new IllegalStateException("unlisted topic allowed");
                }
            });
            Rate dataPlaneAllow = rate(s, () -> access.requireTopic(access.caller(), AclOperation.WRITE, ALLOWED_TOPIC));
            Rate dataPlaneDeny = rate(s, () -> {
                try {
                    access.requireTopic(access.caller(), AclOperation.WRITE, UNLISTED_TOPIC);
                    throw new IllegalStateException("unlisted topic allowed on the data plane");
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
                        throw e;
                    }
                }
            });
            if (authorizer.loads() != loadsBefore) {
                throw new IllegalStateException("the steady-state cases reloaded the ACLs " + (authorizer.loads() - loadsBefore)
                        + " times: not a cached decision");
            }

            List<long[]> reloads = reloads(s, acls, authorizer, principal, tenant, bindings);
            // The two parts of a reload, apart: one read transaction over every binding, then the index and the decision.
            List<long[]> reads = new ArrayList<>();
            List<long[]> indexes = new ArrayList<>();
            int rounds = Math.max(5, s.reloads());
            for (int i = -3; i < rounds; i++) {
                long[] read = timed(() -> acls.snapshot(tenant, false));
                AclSnapshot snapshot = acls.snapshot(tenant, false);
                // The index, and the decision from it (which may index some of it on first use).
                long[] index = timed(() -> expect(AclEvaluator.evaluate(principal, tenant, AclOperation.WRITE, AclResourceType.TOPIC,
                        ALLOWED_TOPIC, () -> new AclRules(snapshot.bindings())), AclDecision.Basis.ALLOWED_BY_ACL));
                if (i >= 0) {
                    reads.add(read);
                    indexes.add(index);
                }
            }
            return new AclRow(bindings.size(), member, memberTopic, allow, deny, dataPlaneAllow, dataPlaneDeny,
                    Timings.of(reloads), Timings.of(reads), Timings.of(indexes));
        }
    }

    /**
     * Each round commits an ACL change (alternately removing and adding back the last binding of the
     * mix, or for a single binding adding and removing one of another principal), waits until the
     * store's watch has dropped the cached copy, then times the next decision: the reload. The
     * first rounds warm the JIT and are not kept.
     */
    private static List<long[]> reloads(Settings s, AclStore acls, AclAuthorizer authorizer, AclPrincipal principal,
            String tenant, List<AclBinding> bindings) throws InterruptedException {
        boolean present = bindings.size() > 1;
        AclBinding toggled = present ? bindings.get(bindings.size() - 1)
                : AclBinding.of("sa-benchtoggleaaaaaaaaa", AclOperation.READ, AclResourceType.GROUP, AclPatternType.LITERAL,
                        "toggled-group", AclPermission.ALLOW);
        List<long[]> samples = new ArrayList<>();
        int warmup = 5;
        for (int round = 0; round < warmup + s.reloads(); round++) {
            if (present) {
                acls.delete(tenant, toggled.id());
            } else {
                acls.create(tenant, toggled);
            }
            present = !present;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (authorizer.isCached(tenant)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ACL change did not reach the cache within 10 s");
                }
                Thread.sleep(1);
            }
            long loads = authorizer.loads();
            AclDecision[] decision = new AclDecision[1];
            long[] sample = timed(() -> decision[0] = authorizer.authorize(principal, tenant, AclOperation.WRITE,
                    AclResourceType.TOPIC, ALLOWED_TOPIC));
            expect(decision[0], AclDecision.Basis.ALLOWED_BY_ACL);
            if (authorizer.loads() != loads + 1) {
                throw new IllegalStateException("the first decision after a change did not reload");
            }
            if (round >= warmup) {
                samples.add(sample);
            }
        }
        return samples;
    }

    /** Stores the bindings with a few writers at once (group commit), as an administrator's script would. */
    private static void createAll(AclStore acls, String tenant, List<AclBinding> bindings) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                int first = w;
                done.add(writers.submit(() -> {
                    for (int i = first; i < bindings.size(); i += 16) {
                        acls.create(tenant, bindings.get(i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdownNow();
        }
    }

    /**
     * {@code size} distinct, valid bindings from a fixed seed: the member's allow of write on
     * {@link #ALLOWED_TOPIC} (literal), then a mix over the member, {@code principals - 1} other
     * service accounts and identity-pool principals, and "*": 70% topics, 18% groups, 6% subjects,
     * 3% transactional ids, 3% the tenant; topics and groups 60% literal, 40% prefixed (a team's or
     * a team and domain's prefix); 85% allows, 15% denies. Bindings that would change the two
     * questions' answers (a deny of the allowed write; anything matching the unlisted topic for the
     * member or "*") are left out, so the answers are the same at every size.
     */
    static List<AclBinding> bindings(int size, int principals, SplittableRandom random) {
        List<String> who = new ArrayList<>();
        who.add(MEMBER);
        for (int i = 1; i < principals; i++) {
            who.add(i % 3 == 0 ? "corp:user" + i + "@example.com" : serviceAccount(random));
        }
        Set<AclBinding> out = new LinkedHashSet<>();
        out.add(AclBinding.of(MEMBER, AclOperation.WRITE, AclResourceType.TOPIC, AclPatternType.LITERAL, ALLOWED_TOPIC,
                AclPermission.ALLOW));
        while (out.size() < size) {
            // "*" gets a tenth of the bindings, the member as many as each other principal.
            String principal = random.nextInt(10) == 0 ? AclBinding.ANY_PRINCIPAL : who.get(random.nextInt(who.size()));
            int t = random.nextInt(100);
            AclResourceType type = t < 70 ? AclResourceType.TOPIC : t < 88 ? AclResourceType.GROUP
                    : t < 94 ? AclResourceType.SUBJECT : t < 97 ? AclResourceType.TRANSACTIONAL_ID : AclResourceType.TENANT;
            AclPermission permission = random.nextInt(100) < 85 ? AclPermission.ALLOW : AclPermission.DENY;
            AclOperation operation = operation(type, random);
            boolean prefixed = (type == AclResourceType.TOPIC || type == AclResourceType.GROUP) && random.nextInt(100) < 40;
            String name = name(type, prefixed, random);
            AclBinding b = AclBinding.of(principal, operation, type, prefixed ? AclPatternType.PREFIXED : AclPatternType.LITERAL,
                    name, permission);
            if (changesAnswers(b)) {
                continue;
            }
            out.add(b);
        }
        return List.copyOf(out);
    }

    private static boolean changesAnswers(AclBinding b) {
        if (b.resourceType() != AclResourceType.TOPIC
                || !(b.principal().equals(MEMBER) || b.principal().equals(AclBinding.ANY_PRINCIPAL))) {
            return false;
        }
        boolean deniesAllowed = b.permission() == AclPermission.DENY && b.matchesResource(ALLOWED_TOPIC)
                && b.operation().denies(AclOperation.WRITE);
        boolean touchesUnlisted = b.matchesResource(UNLISTED_TOPIC)
                && (b.operation().allows(AclOperation.WRITE) || b.operation().denies(AclOperation.WRITE));
        return deniesAllowed || touchesUnlisted;
    }

    private static AclOperation operation(AclResourceType type, SplittableRandom random) {
        int r = random.nextInt(100);
        AclOperation wanted = r < 35 ? AclOperation.READ : r < 62 ? AclOperation.WRITE : r < 77 ? AclOperation.DESCRIBE
                : r < 85 ? AclOperation.ALL : r < 90 ? AclOperation.CREATE : r < 94 ? AclOperation.DELETE
                : r < 97 ? AclOperation.ALTER_CONFIGS : AclOperation.DESCRIBE_CONFIGS;
        if (type.operations().contains(wanted)) {
            return wanted;
        }
        List<AclOperation> valid = type.operations().stream().sorted(Comparator.naturalOrder()).toList();
        return valid.get(random.nextInt(valid.size()));
    }

    private static String name(AclResourceType type, boolean prefixed, SplittableRandom random) {
        String team = TEAMS[random.nextInt(TEAMS.length)];
        return switch (type) {
            case TOPIC -> prefixed
                    ? (random.nextBoolean() ? team + "." : team + "." + ENTITIES[random.nextInt(ENTITIES.length)] + ".")
                    : random.nextInt(200) == 0 ? AclBinding.ANY_RESOURCE
                    : team + "." + ENTITIES[random.nextInt(ENTITIES.length)] + "." + REGIONS[random.nextInt(REGIONS.length)]
                            + "-" + random.nextInt(40);
            case GROUP -> prefixed ? team + "-" : team + "-" + ENTITIES[random.nextInt(ENTITIES.length)] + "-consumer-"
                    + random.nextInt(20);
            case SUBJECT -> team + "." + ENTITIES[random.nextInt(ENTITIES.length)] + "-value";
            case TRANSACTIONAL_ID -> team + "-tx-" + random.nextInt(50);
            case TENANT -> AclBinding.ANY_RESOURCE;
        };
    }

    private static String serviceAccount(SplittableRandom random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder id = new StringBuilder("sa-");
        for (int i = 0; i < 20; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    private static void expect(AclDecision decision, AclDecision.Basis basis) {
        if (decision.basis() != basis) {
            throw new IllegalStateException("expected " + basis + ", got " + decision);
        }
    }

    // ------------------------------------------------------------------ quotas

    private static List<QuotaRow> measureQuotas(EmbeddedStore store, Settings s) {
        // As the server builds it: stored limits cached for 5 s (tributary.quota.cache-interval), defaults unlimited.
        QuotaStore limits = new QuotaStore(store, TenantQuota.UNLIMITED, Duration.ofSeconds(5), System::nanoTime);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            QuotaEnforcer enforcer = new QuotaEnforcer(store, limits, QuotaEnforcer.Settings.DEFAULT, System::nanoTime, background,
                    QuotaEnforcer.Listener.NONE);
            QuotaGate gate = new QuotaGate(enforcer);
            String limited = "bench-quota-limited";
            // Every limit set, each far above what one thread can ask for, so no call is throttled.
            long big = 1L << 50;
            limits.put(limited, new TenantQuota(big, big, big, big, 1_000L, 10_000L, 1_000L), (tx, current) -> {});
            ProduceRequest request = ProduceRequest.newBuilder().setTopic(ALLOWED_TOPIC)
                    .addPartitions(PartitionBatches.newBuilder().setPartition(0).addBatches(ByteString.copyFrom(new byte[100 * 1024])))
                    .build();
            List<QuotaRow> rows = new ArrayList<>();
            for (String[] tenant : new String[][] {{limited, "with limits"}, {"bench-quota-unlimited", "without limits"}}) {
                String id = tenant[0];
                gate.admitProduce(id, request);
                Rate produce = rate(s, () -> gate.admitProduce(id, request));
                Rate fetch = rate(s, () -> {
                    gate.admitFetch(id);
                    gate.recordFetched(id, 100 * 1024);
                });
                rows.add(new QuotaRow(tenant[1], produce, fetch));
            }
            return rows;
        } finally {
            background.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ measurement

    /**
     * Operations per second of {@code op} over the measured window, after the warm-up, and the
     * share of the window the thread was on a CPU (thread CPU time / wall time).
     */
    private static Rate rate(Settings s, Runnable op) {
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.warmupSeconds());
        while (System.nanoTime() < warmupEnd) {
            for (int i = 0; i < 64; i++) {
                op.run();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(s.measureSeconds());
        long ops = 0;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                op.run();
            }
            ops += 64;
            now = System.nanoTime();
        } while (now < end);
        double cpuShare = (threads.getCurrentThreadCpuTime() - cpuStart) / (double) (now - start);
        return new Rate(ops / ((now - start) / 1e9), cpuShare);
    }

    /** {wall nanos, thread CPU nanos} of one run of {@code op}. */
    private static long[] timed(Runnable op) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        op.run();
        long wall = System.nanoTime() - start;
        return new long[] {wall, threads.getCurrentThreadCpuTime() - cpu};
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    private static Settings parse(String[] args) {
        List<Integer> sizes = List.of(1, 100, 10_000);
        int principals = 8;
        long warmup = 2;
        long measure = 5;
        int reloads = 30;
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--sizes" -> sizes = Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--principals" -> principals = Integer.parseInt(v);
                case "--warmup-seconds" -> warmup = Long.parseLong(v);
                case "--measure-seconds" -> measure = Long.parseLong(v);
                case "--reloads" -> reloads = Integer.parseInt(v);
                case "--data-dir" -> dataDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        for (int size : sizes) {
            if (size < 1 || size > AclStore.MAX_BINDINGS_PER_TENANT) {
                throw new IllegalArgumentException("--sizes must be in [1, " + AclStore.MAX_BINDINGS_PER_TENANT + "]");
            }
        }
        if (principals < 1 || measure < 1 || warmup < 0 || reloads < 1) {
            throw new IllegalArgumentException("--principals, --measure-seconds, --reloads must be >= 1, --warmup-seconds >= 0");
        }
        return new Settings(sizes, principals, warmup, measure, reloads, dataDir);
    }
}
