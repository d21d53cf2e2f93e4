package io.kbstream.reliability;

/**
 * The timeline of one fault: when the kill returned, when the restart began and when the restarted
 * part answered again (System.nanoTime values).
 */
final class Outage {

    private final long killedAt;
    private long restartBegan;
    private long restartedAt;

    private Outage(long killedAt) {
        this.killedAt = killedAt;
    }

    /** Runs the kill and starts the clock. */
    static Outage begin(Runnable kill) {
        kill.run();
        return new Outage(System.nanoTime());
    }

    /** Runs the restart and stops the clock. */
    void restart(Runnable restart) {
        restartBegan = System.nanoTime();
        restart.run();
        restartedAt = System.nanoTime();
    }

    /** True if an attempt ran entirely while the part was down. */
    boolean during(Ledger.Attempt attempt) {
        return startedDuring(attempt) && attempt.endNanos() < restartBegan;
    }

    /** True if an attempt began while the part was down (it may end after the restart). */
    boolean startedDuring(Ledger.Attempt attempt) {
        return attempt.startNanos() > killedAt && attempt.startNanos() < restartBegan;
    }

    long killedAt() {
        return killedAt;
    }

    long restartedAt() {
        return restartedAt;
    }

    double seconds() {
        return (restartedAt - killedAt) / 1e9;
    }

    /** Seconds from the end of the restart until now. */
    double sinceRestart() {
        return (System.nanoTime() - restartedAt) / 1e9;
    }
}
