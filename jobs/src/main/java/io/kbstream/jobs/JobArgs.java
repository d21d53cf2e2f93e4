package io.kbstream.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code --kb.key=value} (or {@code --kb.key value}) job arguments into config overrides.
 */
public final class JobArgs {

    private JobArgs() {}

    public static Map<String, String> parse(String[] args) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--kb.")) {
                throw new IllegalArgumentException(
                        "job arguments are --kb.<option>=<value>; got '" + arg + "'");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            if (eq > 0) {
                overrides.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length) {
                overrides.put(body, args[++i]);
            } else {
                throw new IllegalArgumentException("job argument " + arg + " has no value");
            }
        }
        return overrides;
    }
}
