package io.kbstream.stack;

import io.kbstream.api.http.ApiKeys;
import io.kbstream.core.config.ApiOptions;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * API keys of the local tenants. The plain key is kept only in {@code .kb/tenants/<tenant>.key}
 * (mode 0600) for the CLI's own use; the API's config ({@code kb.api.keys} in {@code
 * .kb/secrets.properties}) holds only its SHA-256.
 */
public final class TenantKeys {

    private final Path dataDir;

    public TenantKeys(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The tenant's key, minted and registered if it has none; {@code created} tells which. */
    public record Key(String tenant, String key, boolean created) {}

    public synchronized Key ensure(String tenant) {
        Path keyFile = dataDir.resolve("tenants").resolve(tenant + ".key");
        try {
            if (Files.isRegularFile(keyFile)) {
                return new Key(
                        tenant, Files.readString(keyFile, StandardCharsets.UTF_8).trim(), false);
            }
            String key = ApiKeys.mint();
            Files.createDirectories(keyFile.getParent());
            Files.writeString(keyFile, key + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            String entry = ApiKeys.configEntry(tenant, key);
            updateSecret(
                    ApiOptions.KEYS.key(),
                    current -> {
                        List<String> entries = new ArrayList<>();
                        Arrays.stream(current.split(","))
                                .map(String::trim)
                                .filter(e -> !e.isEmpty() && !e.startsWith(tenant + ":"))
                                .forEach(entries::add);
                        entries.add(entry);
                        return String.join(",", entries);
                    });
            return new Key(tenant, key, true);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write the API key of tenant " + tenant + ": " + e.getMessage(),
                    "check " + dataDir,
                    e);
        }
    }

    /**
     * The operator key of the admin API, minted if there is none: kept in {@code .kb/operator.key}
     * (mode 0600) for the CLI, its SHA-256 in {@code kb.api.operator-key-hash}. {@code created}
     * tells whether a running API must restart to know it.
     */
    public synchronized Key operatorKey() {
        Path keyFile = dataDir.resolve("operator.key");
        try {
            if (Files.isRegularFile(keyFile)) {
                return new Key(
                        "operator",
                        Files.readString(keyFile, StandardCharsets.UTF_8).trim(),
                        false);
            }
            String key = ApiKeys.mint();
            Files.createDirectories(dataDir);
            Files.writeString(keyFile, key + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            updateSecret(ApiOptions.OPERATOR_KEY_HASH.key(), current -> ApiKeys.hash(key));
            return new Key("operator", key, true);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write the operator key: " + e.getMessage(), "check " + dataDir, e);
        }
    }

    /** The key of a tenant that already has one. */
    public String keyOf(String tenant) {
        Path keyFile = dataDir.resolve("tenants").resolve(tenant + ".key");
        try {
            return Files.readString(keyFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new StackException(
                    "tenant " + tenant + " has no API key in " + keyFile,
                    "run ./kb demo (creates the demo tenant) first");
        }
    }

    /** Rewrites one property of {@code .kb/secrets.properties} (mode 0600, atomically). */
    private void updateSecret(String property, UnaryOperator<String> update) throws IOException {
        Path secrets = dataDir.resolve("secrets.properties");
        Properties props = new Properties();
        if (Files.isRegularFile(secrets)) {
            try (Reader r = Files.newBufferedReader(secrets, StandardCharsets.UTF_8)) {
                props.load(r);
            }
        }
        props.setProperty(property, update.apply(props.getProperty(property, "")));
        Path tmp = secrets.resolveSibling("secrets.properties.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(
                tmp,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            props.store(w, "generated by kb; never commit or log");
        }
        Files.move(
                tmp,
                secrets,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
