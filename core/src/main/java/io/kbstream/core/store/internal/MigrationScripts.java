package io.kbstream.core.store.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shard migrations packaged by the schemas module under {@code sql/NNN_name.sql}, in order.
 * They are found next to the schemas classes (a folder in the IDE and in Maven tests, a jar or the
 * shaded job jar otherwise), so every process applies exactly the SQL it was built with.
 */
public final class MigrationScripts {

    private static final Pattern NAME = Pattern.compile("(\\d{3})_[A-Za-z0-9_]+\\.sql");
    private static final String FOLDER = "sql";

    /** One migration: its number, file name, text and SHA-256 of the text. */
    public record Script(int version, String name, String sql, String checksum) {}

    private MigrationScripts() {}

    public static List<Script> load() {
        URL location =
                io.kbstream.schemas.AvroSerde.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation();
        List<String> names;
        try {
            Path path = Path.of(location.toURI());
            names = Files.isDirectory(path) ? listFolder(path.resolve(FOLDER)) : listJar(path);
        } catch (URISyntaxException | IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot list the shard migrations under " + FOLDER + "/ of " + location, e);
        }
        List<Script> scripts = new ArrayList<>();
        ClassLoader loader = io.kbstream.schemas.AvroSerde.class.getClassLoader();
        for (String name : names) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                continue;
            }
            String resource = FOLDER + "/" + name;
            try (InputStream in = loader.getResourceAsStream(resource)) {
                Objects.requireNonNull(in, resource);
                String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                scripts.add(new Script(Integer.parseInt(m.group(1)), name, sql, sha256(sql)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        scripts.sort(Comparator.comparingInt(Script::version));
        for (int i = 0; i < scripts.size(); i++) {
            if (scripts.get(i).version() != i + 1) {
                throw new IllegalStateException(
                        "shard migrations must be numbered 001, 002, ... without gaps or repeats: "
                                + scripts.stream().map(Script::name).toList());
            }
        }
        if (scripts.isEmpty()) {
            throw new IllegalStateException("no shard migrations found in " + location);
        }
        return scripts;
    }

    private static List<String> listFolder(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static List<String> listJar(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : java.util.Collections.list(file.entries())) {
                String n = entry.getName();
                if (n.startsWith(FOLDER + "/") && n.indexOf('/', FOLDER.length() + 1) < 0) {
                    names.add(n.substring(FOLDER.length() + 1));
                }
            }
        }
        return names;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
