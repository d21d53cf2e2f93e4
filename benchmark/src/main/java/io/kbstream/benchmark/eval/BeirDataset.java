package io.kbstream.benchmark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A dataset in BEIR layout, read in place: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code
 * text}), {@code queries.jsonl} ({@code _id}, {@code text}) and {@code qrels/<split>.tsv}. Only
 * queries that have judgements in the split are kept.
 */
public record BeirDataset(
        String name,
        String split,
        Map<String, Doc> corpus,
        Map<String, String> queries,
        Qrels qrels) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One corpus document. */
    public record Doc(String id, String title, String text) {
        /**
         * What is indexed: the title, a blank line and the text, as BEIR's dense baselines embed
         * them; an untitled document is its text.
         */
        public String indexedText() {
            return title.isBlank() ? text : title + "\n\n" + text;
        }
    }

    public static BeirDataset load(Path dir, String split) throws IOException {
        Path qrelsFile = dir.resolve("qrels").resolve(split + ".tsv");
        if (!Files.isRegularFile(qrelsFile)) {
            throw new IllegalArgumentException(
                    "no split '"
                            + split
                            + "' in "
                            + dir
                            + " (no "
                            + qrelsFile
                            + "); splits here: "
                            + splits(dir));
        }
        Qrels qrels = Qrels.load(qrelsFile);
        Map<String, Doc> corpus = new LinkedHashMap<>();
        forEachLine(
                dir.resolve("corpus.jsonl"),
                n -> {
                    String id = n.path("_id").asText("");
                    corpus.put(
                            id, new Doc(id, n.path("title").asText(""), n.path("text").asText("")));
                });
        Map<String, String> all = new LinkedHashMap<>();
        forEachLine(
                dir.resolve("queries.jsonl"),
                n -> all.put(n.path("_id").asText(""), n.path("text").asText("")));
        Map<String, String> queries = new LinkedHashMap<>();
        for (String q : qrels.queryIds()) {
            if (all.containsKey(q)) {
                queries.put(q, all.get(q));
            }
        }
        Path normalized = dir.toAbsolutePath().normalize();
        return new BeirDataset(
                normalized.getFileName().toString(),
                split,
                Collections.unmodifiableMap(corpus),
                Collections.unmodifiableMap(queries),
                qrels);
    }

    private interface LineHandler {
        void accept(JsonNode node);
    }

    private static void forEachLine(Path file, LineHandler handler) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.has("_id")) {
                    throw new IOException(
                            file + ":" + number + ": a JSON object with _id expected");
                }
                handler.accept(node);
            }
        }
    }

    private static String splits(Path dir) {
        try (Stream<Path> files = Files.list(dir.resolve("qrels"))) {
            return files.map(p -> p.getFileName().toString().replaceFirst("\\.tsv$", ""))
                    .sorted()
                    .toList()
                    .toString();
        } catch (IOException e) {
            return "none";
        }
    }
}
