package io.kbstream.benchmark.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the simulated users send: SciFact claims as search queries ({@code queries.jsonl}) and
 * SciFact abstracts as documents ({@code corpus.jsonl}), read in place, never copied.
 */
public record Workload(List<String> queries, List<Doc> docs) {

    /** One corpus document to upload. */
    public record Doc(String id, String title, String text) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the first {@code maxQueries} queries and {@code maxDocs} documents of a BEIR folder.
     */
    public static Workload load(Path dir, int maxQueries, int maxDocs) throws IOException {
        List<String> queries = new ArrayList<>();
        for (JsonNode n : lines(dir.resolve("queries.jsonl"), maxQueries)) {
            String text = n.path("text").asText("").trim();
            if (!text.isEmpty()) {
                queries.add(text);
            }
        }
        List<Doc> docs = new ArrayList<>();
        for (JsonNode n : lines(dir.resolve("corpus.jsonl"), maxDocs)) {
            docs.add(
                    new Doc(
                            n.path("_id").asText(""),
                            n.path("title").asText(""),
                            n.path("text").asText("")));
        }
        if (queries.isEmpty() || docs.isEmpty()) {
            throw new IllegalArgumentException("no queries or documents under " + dir);
        }
        return new Workload(List.copyOf(queries), List.copyOf(docs));
    }

    private static List<JsonNode> lines(Path file, int max) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while (out.size() < max && (line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }
}
