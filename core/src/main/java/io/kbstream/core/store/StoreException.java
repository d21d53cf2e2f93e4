package io.kbstream.core.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * A shard could not do what was asked: unreachable, timed out, or refused the statement. Carries
 * the shard number so a scatter-gather caller can report a partial result.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int shard;

    public StoreException(int shard, String message, Throwable cause) {
        super(shard < 0 ? message : "shard " + shard + ": " + message, cause);
        this.shard = shard;
    }

    /** The shard number, or -1 if not about one shard. */
    public int shard() {
        return shard;
    }

    /**
     * True if the shard could not be reached at all: no connection could be made, or the one in use
     * broke (SQLSTATE class 08). A statement that timed out or was refused does not count.
     */
    public boolean isUnreachable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
