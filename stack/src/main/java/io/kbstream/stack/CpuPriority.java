package io.kbstream.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sets the CPU priority (nice value) of a whole process, so the local pipeline's inference yields
 * to the API when both share a machine (one machine, two roles). Linux keeps a nice value per
 * thread: every thread of the process is reniced (threads started later inherit their creator's),
 * and, when the process leads its own session (the pipeline started by {@link AppProcess} under
 * {@code setsid}), its autogroup too — with the kernel's autogroup scheduling, nice only ranks
 * threads within one session's group, and groups share the CPU equally whatever their threads'
 * nice.
 */
public final class CpuPriority {

    private CpuPriority() {}

    /**
     * Sets every thread of {@code pid} (and its session's autogroup when it leads the session) to
     * {@code nice}. Raising nice needs no privilege; lowering it back needs root.
     *
     * @return what was changed, for the log
     */
    public static String set(long pid, int nice) {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<String> command =
                new ArrayList<>(List.of("renice", "--priority", Integer.toString(nice), "-p"));
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            tasks.forEach(t -> command.add(t.getFileName().toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of process " + pid, e);
        }
        int threads = command.size() - 4;
        run(command);
        String what = threads + " threads of process " + pid + " at nice " + nice;
        Path autogroup = proc.resolve("autogroup");
        if (leadsSession(proc, pid) && Files.isWritable(autogroup)) {
            try {
                Files.writeString(autogroup, Integer.toString(nice));
                what += ", its session's autogroup too";
            } catch (IOException e) {
                what += " (its autogroup unchanged: " + e.getMessage() + ")";
            }
        }
        return what;
    }

    /** The nice value of each thread of {@code pid}, from {@code /proc/<pid>/task/<tid>/stat}. */
    public static List<Integer> niceOfThreads(long pid) {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    out.add(Integer.parseInt(statFields(t.resolve("stat"))[16]));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the threads of process " + pid, e);
        }
        return out;
    }

    private static boolean leadsSession(Path proc, long pid) {
        try {
            // field 6 of stat is the session id
            return Long.parseLong(statFields(proc.resolve("stat"))[3]) == pid;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The fields after the parenthesised command name: index 0 is field 3 (state). */
    private static String[] statFields(Path stat) throws IOException {
        String s = Files.readString(stat);
        return s.substring(s.lastIndexOf(')') + 2).split(" ");
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            // renice fails for a thread that ended meanwhile; the others are set all the same
            if (p.waitFor() != 0 && !out.contains("No such process")) {
                throw new IllegalStateException("renice failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run renice: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while renicing", e);
        }
    }
}
