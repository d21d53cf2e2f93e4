package io.kbstream.stack;

/** A local-stack failure a person can act on: what went wrong and how to fix it. */
public final class StackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fix;

    public StackException(String problem, String fix) {
        super(problem);
        this.fix = fix;
    }

    public StackException(String problem, String fix, Throwable cause) {
        super(problem, cause);
        this.fix = fix;
    }

    public String fix() {
        return fix;
    }
}
