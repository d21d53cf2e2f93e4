package io.kbstream.cli;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.KbOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code kb config}: every option, its effective value (secrets masked) and its meaning. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Print the effective configuration (secrets masked).")
final class ConfigCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        KbConfig config = KbConfig.load();
        var values = config.describe();
        KbOptions.all().stream()
                .sorted(java.util.Comparator.comparing(o -> o.key()))
                .forEach(
                        o ->
                                System.out.printf(
                                        "%-36s = %-40s  # %s (env %s)%n",
                                        o.key(),
                                        values.get(o.key()),
                                        o.description(),
                                        o.envName()));
        return 0;
    }
}
