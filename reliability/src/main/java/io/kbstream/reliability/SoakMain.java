package io.kbstream.reliability;

/**
 * {@code ./kb soak [--minutes N]}: the bounded soak (20 minutes by default). Exit 0 only when
 * nothing acknowledged was lost or duplicated, the API did not leak and p95 under faults stayed
 * within 2x of the unfaulted p95.
 */
public final class SoakMain {

    private SoakMain() {}

    public static void main(String[] args) throws Exception {
        int minutes = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--minutes") && i + 1 < args.length) {
                minutes = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: ./kb soak [--minutes N]");
                System.exit(2);
            }
        }
        if (minutes < 2) {
            System.err.println("error: the soak needs at least 2 minutes");
            System.exit(2);
        }
        boolean passed =
                SoakRun.run(
                        SoakRun.Settings.of(minutes), SoakRun.outDir(minutes), System.out::println);
        System.out.println(passed ? "soak passed" : "soak FAILED (see the checks above)");
        System.exit(passed ? 0 : 1);
    }
}
