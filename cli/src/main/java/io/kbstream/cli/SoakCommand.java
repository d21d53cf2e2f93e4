package io.kbstream.cli;

import io.kbstream.reliability.SoakRun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb soak}: the bounded soak of {@code reliability/} — mixed load with periodic SIGKILLs on
 * a private stack. Exit 0 only when nothing acknowledged was lost or duplicated, the API did not
 * leak and p95 under faults stayed within 2x of the unfaulted p95.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Mixed load with one fault every ~3 minutes on a private stack (port base + 400,"
                        + " .kb/soak); checks nothing acknowledged is lost or duplicated.")
final class SoakCommand implements Callable<Integer> {

    @Option(names = "--minutes", description = "How long (at least 2; default ${DEFAULT-VALUE}).")
    int minutes = 20;

    @Override
    public Integer call() throws Exception {
        if (minutes < 2) {
            throw new IllegalArgumentException("the soak needs at least 2 minutes");
        }
        boolean passed =
                SoakRun.run(
                        SoakRun.Settings.of(minutes), SoakRun.outDir(minutes), System.out::println);
        System.out.println(passed ? "soak passed" : "soak FAILED (see the checks above)");
        return passed ? 0 : 1;
    }
}
