package io.kbstream.core.embed.internal;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.translator.TextEmbeddingTranslatorFactory;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.kbstream.core.embed.EmbedderSpec;
import io.kbstream.core.embed.EmbeddingException;
import io.kbstream.core.embed.ModelInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * One loaded model and its predictors. DJL's {@code TextEmbeddingTranslator} tokenises (padding to
 * the longest text of a batch, truncating at the window), and does mean or [CLS] pooling and L2
 * normalisation on NDArrays; ONNX Runtime has no such operators, so DJL runs them on its PyTorch
 * engine. Each call's NDArrays live in a per-call manager that DJL closes when the call returns.
 */
public final class DjlEmbedder implements AutoCloseable {

    static {
        DjlSetup.offline();
    }

    private final ZooModel<String, float[]> model;
    private final ModelInfo info;
    private final Path tokenizerFile;
    private final String queryInstruction;
    // A Predictor is not thread-safe but the model is: each concurrent caller borrows its own.
    private final Deque<Predictor<String, float[]>> idle = new ConcurrentLinkedDeque<>();
    private final InferenceSlots slots;
    private volatile boolean closed;

    private DjlEmbedder(
            ZooModel<String, float[]> model,
            ModelInfo info,
            Path tokenizerFile,
            String queryInstruction,
            InferenceSlots slots) {
        this.model = model;
        this.info = info;
        this.tokenizerFile = tokenizerFile;
        this.queryInstruction = queryInstruction;
        this.slots = slots;
    }

    /** Loads the model of {@code spec}; slow (seconds), so callers cache the result. */
    public static DjlEmbedder load(EmbedderSpec spec) {
        ModelSource source = ModelSource.of(spec.model(), spec.cacheDir());
        String digest = source.kind() == ModelSource.Kind.DJL_ZOO ? null : source.digest();
        ZooModel<String, float[]> model;
        try {
            model = criteria(source, spec).loadModel();
        } catch (ModelNotFoundException
                | MalformedModelException
                | IOException
                | IllegalArgumentException
                | ai.djl.engine.EngineException e) {
            // DJL reports an unknown zoo artifact as IllegalArgumentException
            throw new EmbeddingException(loadFailure(source), e);
        }
        try {
            Path tokenizer =
                    source.kind() == ModelSource.Kind.DJL_ZOO
                            ? model.getModelPath().resolve("tokenizer.json")
                            : source.tokenizerFile();
            String version =
                    source.name()
                            + (digest != null
                                    ? "@sha256:" + digest
                                    : "@" + model.getModelPath().getFileName());
            // The dimension is whatever the model outputs; ask it rather than trusting a table.
            int dimension;
            try (Predictor<String, float[]> probe = model.newPredictor()) {
                dimension = probe.predict("dimension probe").length;
            }
            ModelInfo info =
                    new ModelInfo(
                            source.name(), dimension, version, source.engine(), spec.maxTokens());
            return new DjlEmbedder(
                    model,
                    info,
                    tokenizer,
                    source.queryInstruction(),
                    new InferenceSlots(spec.effectiveWorkers(), source.name()));
        } catch (TranslateException | RuntimeException e) {
            model.close();
            throw new EmbeddingException(
                    "model " + source.name() + " loaded but cannot embed a probe text", e);
        }
    }

    private static Criteria<String, float[]> criteria(ModelSource source, EmbedderSpec spec) {
        Criteria.Builder<String, float[]> criteria =
                Criteria.builder()
                        .setTypes(String.class, float[].class)
                        .optEngine(source.engine())
                        .optTranslatorFactory(new TextEmbeddingTranslatorFactory())
                        .optArgument("pooling", source.pooling())
                        .optArgument("normalize", "true")
                        .optArgument("maxLength", String.valueOf(spec.maxTokens()))
                        .optArgument("truncation", "true")
                        // pad to the longest text of each batch, not to the tokenizer.json's
                        // fixed 128 (which would also truncate at 128)
                        .optArgument("padding", "true");
        switch (source.kind()) {
            case BUNDLED_ONNX -> {
                // these BERT exports take input_ids, attention_mask and token_type_ids
                criteria.optModelPath(source.modelDir())
                        .optModelName(source.modelName())
                        .optArgument("includeTokenTypes", "true");
                // Always explicit: ONNX Runtime's own default ran one thread on this 2-vCPU VM.
                criteria.optOption("intraOpNumThreads", String.valueOf(spec.effectiveThreads()));
            }
            case TORCHSCRIPT ->
                    criteria.optModelPath(source.modelDir()).optModelName(source.modelName());
            case DJL_ZOO -> criteria.optModelUrls(source.url());
        }
        return criteria.build();
    }

    private static String loadFailure(ModelSource source) {
        return switch (source.kind()) {
            case BUNDLED_ONNX ->
                    "cannot load ONNX model " + source.name() + " from " + source.modelDir();
            case TORCHSCRIPT ->
                    "cannot load TorchScript model " + source.name() + " from " + source.modelDir();
            case DJL_ZOO ->
                    "cannot load "
                            + source.url()
                            + ": downloads are disabled"
                            + " (ai.djl.offline=true), so the model must already be in DJL's cache"
                            + " (~/.djl.ai/cache, or DJL_CACHE_DIR)";
        };
    }

    public ModelInfo info() {
        return info;
    }

    /** What the model's makers put before a search query; empty when nothing. */
    public String queryInstruction() {
        return queryInstruction;
    }

    /** The model's HuggingFace {@code tokenizer.json}, for token-aware chunking. */
    public Path tokenizerFile() {
        return tokenizerFile;
    }

    /**
     * Embeds {@code texts} in runs of at most {@code runSize} texts (each one padded batch), spread
     * over the model's inference slots.
     */
    public float[][] embed(List<String> texts, int runSize) {
        float[][] out = new float[texts.size()][];
        int runs = (texts.size() + runSize - 1) / runSize;
        slots.runAll(
                runs,
                run -> {
                    int from = run * runSize;
                    float[][] part =
                            embedRun(texts.subList(from, Math.min(from + runSize, texts.size())));
                    System.arraycopy(part, 0, out, from, part.length);
                });
        return out;
    }

    private float[][] embedRun(List<String> texts) {
        if (closed) {
            throw new IllegalStateException("embedder of " + info.version() + " is closed");
        }
        Predictor<String, float[]> predictor = idle.pollFirst();
        if (predictor == null) {
            predictor = model.newPredictor();
        }
        try {
            return predictor.batchPredict(texts).toArray(new float[0][]);
        } catch (TranslateException e) {
            throw new EmbeddingException(
                    "embedding a batch of "
                            + texts.size()
                            + " texts with "
                            + info.version()
                            + " failed",
                    e);
        } finally {
            if (closed) {
                predictor.close();
            } else {
                idle.offerFirst(predictor);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        slots.close();
        for (Predictor<String, float[]> p; (p = idle.pollFirst()) != null; ) {
            p.close();
        }
        model.close();
    }
}
