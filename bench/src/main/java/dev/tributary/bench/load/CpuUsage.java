package dev.tributary.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU used during a measured window, to tell who was busy: this process (the load generator),
 * the server (by pid, read from /proc) and the whole machine (/proc/stat), each as a share of all
 * CPUs. On a small machine where client and server share the cores, a round that keeps every core
 * busy is CPU-bound whatever the server does. Linux only; figures are -1 where /proc is missing.
 */
final class CpuUsage {
    private final long serverPid;
    private final int cpus = Runtime.getRuntime().availableProcessors();
    private long startNanos;
    private long startProcessCpuNanos;
    private long[] startMachineTicks;
    private long startServerTicks;

    /** @param serverPid the server's process id, or -1 to leave it out */
    CpuUsage(long serverPid) {
        this.serverPid = serverPid;
    }

    void start() {
        startNanos = System.nanoTime();
        startProcessCpuNanos = processCpuNanos();
        startMachineTicks = machineTicks();
        startServerTicks = serverTicks();
    }

    /** CPU used since {@link #start()} by this process, the server and the machine. */
    Shares stop() {
        long wallNanos = System.nanoTime() - startNanos;
        long processNanos = startProcessCpuNanos < 0 ? -1 : processCpuNanos() - startProcessCpuNanos;
        long[] machine = machineTicks();
        long server = serverTicks();
        double wallSeconds = wallNanos / 1e9;
        double selfSeconds = processNanos < 0 ? -1 : processNanos / 1e9;
        double machinePct = -1;
        double serverSeconds = -1;
        if (machine != null && startMachineTicks != null && wallSeconds > 0) {
            long total = machine[0] - startMachineTicks[0];
            long busy = machine[1] - startMachineTicks[1];
            if (total > 0) {
                machinePct = 100.0 * busy / total;
                if (server >= 0 && startServerTicks >= 0) {
                    // All CPUs together tick total/wall times a second: the clock rate of the server's counts.
                    double ticksPerCpuSecond = total / (wallSeconds * cpus);
                    serverSeconds = (server - startServerTicks) / ticksPerCpuSecond;
                }
            }
        }
        return new Shares(wallSeconds, cpus, selfSeconds, serverSeconds, machinePct);
    }

    /**
     * CPU use in a window of {@code wallSeconds} on {@code cpus} CPUs: CPU seconds of the load
     * generator and of the server, and the machine's busy share; -1 when unknown.
     */
    record Shares(double wallSeconds, int cpus, double loadGeneratorSeconds, double serverSeconds, double machine) {
        /** Percent of all CPUs. */
        double loadGenerator() {
            return percentOfAll(loadGeneratorSeconds);
        }

        /** Percent of all CPUs. */
        double server() {
            return percentOfAll(serverSeconds);
        }

        private double percentOfAll(double cpuSeconds) {
            return cpuSeconds < 0 || wallSeconds <= 0 ? -1 : 100.0 * cpuSeconds / (wallSeconds * cpus);
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** {total, busy} clock ticks of all CPUs from the first line of /proc/stat; busy leaves out idle and iowait. */
    private static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total, total - idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime + stime of the server, in the same clock ticks as /proc/stat. */
    private long serverTicks() {
        if (serverPid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(serverPid), "stat"));
            // Fields after the command name (which may hold spaces) start with field 3, the state.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
