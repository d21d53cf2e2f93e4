package io.kbstream.deploy.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The part of Kustomize that kb-stream's manifests use, so {@code kb k8s render} needs no kustomize
 * binary: {@code resources} (files and folders with a kustomization), {@code namespace}, {@code
 * configMapGenerator} with {@code files} and {@code options.labels} (no name hash: the base sets
 * {@code disableNameSuffixHash}), and {@code patches} with a {@code path} merged like a strategic
 * merge patch (maps deep-merged; lists of maps merged by {@code name}; other lists replaced).
 * Anything else in a kustomization is rejected rather than silently ignored.
 */
public final class Kustomize {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> KNOWN_FIELDS =
            List.of(
                    "apiVersion",
                    "kind",
                    "namespace",
                    "resources",
                    "configMapGenerator",
                    "generatorOptions",
                    "patches");

    private final Function<String, InputStream> files;

    /**
     * @param files opens a file by its '/'-separated path (classpath or folder); null if missing
     */
    public Kustomize(Function<String, InputStream> files) {
        this.files = Objects.requireNonNull(files);
    }

    /** The objects the kustomization in {@code dir} produces, in the order they are declared. */
    public List<Map<String, Object>> build(String dir) {
        Map<String, Object> k = readMap(dir + "/kustomization.yaml");
        for (String field : k.keySet()) {
            if (!KNOWN_FIELDS.contains(field)) {
                throw new IllegalArgumentException(
                        dir + "/kustomization.yaml: field '" + field + "' is not supported");
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String resource : strings(k.get("resources"))) {
            String path = normalize(dir + "/" + resource);
            if (path.endsWith(".yaml") || path.endsWith(".yml")) {
                objects.addAll(readDocuments(path));
            } else {
                objects.addAll(build(path));
            }
        }
        List<Map<String, Object>> generators = maps(k.get("configMapGenerator"));
        if (!generators.isEmpty() && !hashDisabled(k)) {
            // kustomize would append a content hash to the name; this renderer does not
            throw new IllegalArgumentException(
                    dir
                            + "/kustomization.yaml: configMapGenerator needs"
                            + " generatorOptions.disableNameSuffixHash: true");
        }
        for (Map<String, Object> generator : generators) {
            Map<String, Object> data = new LinkedHashMap<>();
            for (String file : strings(generator.get("files"))) {
                String key = file.substring(file.lastIndexOf('/') + 1);
                data.put(key, readString(normalize(dir + "/" + file)));
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("name", generator.get("name"));
            if (generator.get("options") instanceof Map<?, ?> options
                    && options.get("labels") != null) {
                metadata.put("labels", new LinkedHashMap<>((Map<?, ?>) options.get("labels")));
            }
            Map<String, Object> configMap = new LinkedHashMap<>();
            configMap.put("apiVersion", "v1");
            configMap.put("kind", "ConfigMap");
            configMap.put("metadata", metadata);
            configMap.put("data", data);
            objects.add(configMap);
        }
        for (Map<String, Object> patch : maps(k.get("patches"))) {
            for (Map<String, Object> doc :
                    readDocuments(normalize(dir + "/" + patch.get("path")))) {
                Map<String, Object> target = find(objects, doc);
                mergeInto(target, doc);
            }
        }
        Object namespace = k.get("namespace");
        if (namespace != null) {
            for (Map<String, Object> object : objects) {
                metadata(object).put("namespace", namespace);
            }
        }
        return objects;
    }

    private static boolean hashDisabled(Map<String, Object> kustomization) {
        Object options = kustomization.get("generatorOptions");
        return options instanceof Map<?, ?> m
                && Boolean.TRUE.equals(m.get("disableNameSuffixHash"));
    }

    private static Map<String, Object> find(
            List<Map<String, Object>> objects, Map<String, Object> patch) {
        for (Map<String, Object> object : objects) {
            if (Objects.equals(object.get("kind"), patch.get("kind"))
                    && Objects.equals(metadata(object).get("name"), metadata(patch).get("name"))) {
                return object;
            }
        }
        throw new IllegalArgumentException(
                "patch targets no resource: "
                        + patch.get("kind")
                        + "/"
                        + metadata(patch).get("name"));
    }

    /** Strategic-merge-like: see the class comment. */
    @SuppressWarnings("unchecked")
    static void mergeInto(Map<String, Object> target, Map<String, Object> patch) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            Object old = target.get(e.getKey());
            Object value = e.getValue();
            if (old instanceof Map && value instanceof Map) {
                mergeInto((Map<String, Object>) old, (Map<String, Object>) value);
            } else if (old instanceof List
                    && value instanceof List
                    && namedMaps((List<?>) value)
                    && namedMaps((List<?>) old)) {
                // kustomize's order: the patch's items (merged into their match) in the patch's
                // order, then the target's other items in theirs
                List<Object> rest = new ArrayList<>((List<Object>) old);
                List<Object> merged = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    Map<String, Object> patchItem = (Map<String, Object>) item;
                    Object match =
                            rest.stream()
                                    .filter(
                                            o ->
                                                    Objects.equals(
                                                            ((Map<?, ?>) o).get("name"),
                                                            patchItem.get("name")))
                                    .findFirst()
                                    .orElse(null);
                    if (match == null) {
                        merged.add(patchItem);
                    } else {
                        rest.remove(match);
                        mergeInto((Map<String, Object>) match, patchItem);
                        merged.add(match);
                    }
                }
                merged.addAll(rest);
                target.put(e.getKey(), merged);
            } else {
                target.put(e.getKey(), value);
            }
        }
    }

    private static boolean namedMaps(List<?> list) {
        return !list.isEmpty()
                && list.stream().allMatch(o -> o instanceof Map<?, ?> m && m.get("name") != null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> object) {
        return (Map<String, Object>) object.computeIfAbsent("metadata", x -> new LinkedHashMap<>());
    }

    /** Resolves {@code .} and {@code ..} in a '/'-separated relative path. */
    static String normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("path leaves the manifest root: " + path);
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    private List<Map<String, Object>> readDocuments(String path) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (InputStream in = open(path);
                YAMLParser parser = ((YAMLFactory) YAML.getFactory()).createParser(in)) {
            for (Map<String, Object> doc :
                    YAML.readValues(parser, new TypeReference<LinkedHashMap<String, Object>>() {})
                            .readAll()) {
                if (doc != null) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return docs;
    }

    private Map<String, Object> readMap(String path) {
        List<Map<String, Object>> docs = readDocuments(path);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(path + ": expected one YAML document");
        }
        return docs.get(0);
    }

    private String readString(String path) {
        try (InputStream in = open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private InputStream open(String path) {
        InputStream in = files.apply(path);
        if (in == null) {
            throw new IllegalArgumentException("manifest file not found: " + path);
        }
        return in;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return list == null ? List.of() : (List<String>) list;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object list) {
        return list == null ? List.of() : (List<Map<String, Object>>) list;
    }
}
