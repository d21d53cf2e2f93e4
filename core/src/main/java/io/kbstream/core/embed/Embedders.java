package io.kbstream.core.embed;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.internal.BatchingEmbedder;
import io.kbstream.core.embed.internal.DjlEmbedder;
import io.kbstream.core.embed.internal.DjlSetup;
import io.kbstream.core.embed.internal.ModelSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM-wide registry of loaded models: each model is loaded once, on first request, and shared
 * by every caller (Flink subtasks in one TaskManager, API request threads). There is deliberately
 * no shutdown hook closing them: at exit the OS frees native memory anyway, and closing an ONNX
 * session while another thread still runs inference crashed the JVM (SIGSEGV in libonnxruntime).
 */
public final class Embedders {

    static {
        // before any DJL class loads: never try to download an engine or a model
        DjlSetup.offline();
    }

    private static final Map<String, Loaded> LOADED = new HashMap<>();

    private record Loaded(EmbedderSpec spec, DjlEmbedder model) {}

    private Embedders() {}

    /** The shared embedder configured by the {@code kb.embedding.*} options. */
    public static Embedder shared(KbConfig config) {
        return shared(EmbedderSpec.from(config));
    }

    /**
     * The shared embedder of another {@code model} with the configured window, batch and
     * parallelism: a tenant moving between models has vectors of both, made the same way.
     */
    public static Embedder shared(KbConfig config, String model) {
        return shared(EmbedderSpec.from(config).withModel(model));
    }

    /**
     * The shared embedder for {@code spec.model()}, loading it on first use. Callers may differ in
     * batch size and query instruction; asking for a loaded model with another window, thread or
     * worker count or cache folder is an error, because one model name must mean one kind of vector
     * in this process.
     *
     * @throws EmbeddingException if the model cannot be found or loaded
     */
    public static Embedder shared(EmbedderSpec spec) {
        return new BatchingEmbedder(load(spec).model(), spec.batchSize(), spec.queryInstruction());
    }

    /**
     * The HuggingFace {@code tokenizer.json} of the configured model, for the chunker. For bundled
     * models this extracts the tokenizer only, without loading the model.
     */
    public static Path tokenizerFile(EmbedderSpec spec) {
        ModelSource source = ModelSource.of(spec.model(), spec.cacheDir());
        if (source.kind() == ModelSource.Kind.DJL_ZOO) {
            return load(spec).model().tokenizerFile();
        }
        return source.tokenizerFile();
    }

    /** Closes every loaded model; later requests load them again (tests and benchmarks). */
    public static synchronized void closeAll() {
        LOADED.values().forEach(l -> l.model().close());
        LOADED.clear();
    }

    private static synchronized Loaded load(EmbedderSpec spec) {
        Loaded loaded = LOADED.get(spec.model());
        if (loaded != null) {
            EmbedderSpec have = loaded.spec();
            if (have.maxTokens() != spec.maxTokens()
                    || have.threads() != spec.threads()
                    || have.workers() != spec.workers()
                    || !have.cacheDir().equals(spec.cacheDir())) {
                throw new IllegalStateException(
                        "model "
                                + spec.model()
                                + " is already loaded with "
                                + have
                                + "; cannot also use "
                                + spec);
            }
            return loaded;
        }
        loaded = new Loaded(spec, DjlEmbedder.load(spec));
        LOADED.put(spec.model(), loaded);
        return loaded;
    }
}
