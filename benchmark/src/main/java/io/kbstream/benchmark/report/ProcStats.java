package io.kbstream.benchmark.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU time and memory of one process, read from {@code /proc/<pid>/stat} and {@code status}. */
public record ProcStats(long pid, long cpuTicks, long rssKb, long peakRssKb, long atNanos) {

    /** Linux's USER_HZ; {@code getconf CLK_TCK} is 100 on every mainstream kernel build. */
    static final double TICKS_PER_SECOND = 100.0;

    /** The machine's {@code /proc/loadavg} line, recorded beside every measured figure. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static ProcStats sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the parenthesised command name; utime and stime are fields 14 and 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long rss = 0;
            long hwm = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                }
            }
            return new ProcStats(pid, ticks, rss, hwm, System.nanoTime());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc for pid " + pid + ": " + e, e);
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Average cores used between two samples, RSS now and the peak, in MB. */
    public static Map<String, Object> between(ProcStats start, ProcStats end) {
        double seconds = (end.atNanos - start.atNanos) / 1e9;
        double cores = (end.cpuTicks - start.cpuTicks) / TICKS_PER_SECOND / seconds;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", end.pid);
        m.put("cpuCores", Math.round(cores * 100) / 100.0);
        m.put(
                "cpuSeconds",
                Math.round((end.cpuTicks - start.cpuTicks) / TICKS_PER_SECOND * 10) / 10.0);
        m.put("rssMb", end.rssKb / 1024);
        m.put("peakRssMb", end.peakRssKb / 1024);
        m.put("seconds", Math.round(seconds));
        return m;
    }
}
