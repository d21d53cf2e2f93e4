package io.kbstream.deploy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions this checkout runs locally, where they are declared: the Postgres major and the
 * pgvector version that {@code scripts/install-prereqs.sh} installs (and {@code
 * kb.stack.postgres.bin-dir} points at). Images and manifests must use the same.
 */
record Versions(String postgresMajor, String pgvector) {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static Versions ofThisCheckout() throws IOException {
        String script = Files.readString(REPO.resolve("scripts/install-prereqs.sh"));
        Versions v =
                new Versions(variable(script, "PG_MAJOR"), variable(script, "PGVECTOR_VERSION"));
        String bin = KbConfig.of(java.util.Map.of()).get(StackOptions.POSTGRES_BIN);
        if (!bin.contains("/postgresql/" + v.postgresMajor() + "/")) {
            throw new IllegalStateException(
                    "kb.stack.postgres.bin-dir " + bin + " is not Postgres " + v.postgresMajor());
        }
        return v;
    }

    /** The image of a shard: pgvector's official image for this Postgres major. */
    String pgvectorImage() {
        return "pgvector/pgvector:" + pgvector + "-pg" + postgresMajor;
    }

    private static String variable(String script, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=\"?([0-9.]+)\"?$").matcher(script);
        if (!m.find()) {
            throw new IllegalStateException(name + " not found in scripts/install-prereqs.sh");
        }
        return m.group(1);
    }
}
