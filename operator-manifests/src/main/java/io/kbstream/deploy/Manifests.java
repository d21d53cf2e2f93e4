package io.kbstream.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kbstream.core.config.ConfigOption;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.KbOptions;
import io.kbstream.deploy.internal.Kustomize;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;

/**
 * The rendered Kubernetes manifests of one overlay ({@code dev}, {@code prod}): Kustomize output
 * with the build's version in place of {@code ${KB_VERSION}} and the jobs' {@code --kb.*} arguments
 * taken from the overlay's {@code kb.properties}. Rendering is deterministic: objects are ordered
 * by kind (what must exist first comes first) and name, keys keep their file order.
 */
public final class Manifests {

    /** Where the manifests live on the classpath (and under src/main/resources). */
    public static final String ROOT = "k8s";

    public static final String VERSION_PLACEHOLDER = "${KB_VERSION}";

    /** The FlinkDeployment running the IndexingJob. */
    public static final String INDEXING_DEPLOYMENT = "kb-indexing";

    /** The ConfigMap generated from the overlay's kb.properties. */
    public static final String CONFIG_MAP = "kb-config";

    public static final String CONFIG_FILE = "kb.properties";

    /**
     * The alert rules: a Prometheus rules file, loaded as it is by the local stack's Prometheus and
     * by compose's, and the spec of the PrometheusRule {@link #ALERT_RULE_NAME} here.
     */
    public static final String ALERT_RULES = ROOT + "/base/monitoring/kb-alerts.yml";

    /** The PrometheusRule whose spec {@link #render} fills from {@link #ALERT_RULES}. */
    public static final String ALERT_RULE_NAME = "kb-alerts";

    /** The Grafana dashboard, provisioned by compose and as the ConfigMap {@code kb-dashboard}. */
    public static final String DASHBOARD = ROOT + "/base/monitoring/kb-dashboard.json";

    private static final List<String> KIND_ORDER =
            List.of(
                    "Namespace",
                    "ServiceAccount",
                    "Secret",
                    "ConfigMap",
                    "Service",
                    "PersistentVolumeClaim",
                    "StatefulSet",
                    "Deployment",
                    "Job",
                    "HorizontalPodAutoscaler",
                    "PodDisruptionBudget",
                    "FlinkDeployment",
                    "FlinkSessionJob",
                    "PrometheusRule");

    private static final Map<String, Class<? extends HasMetadata>> CUSTOM_KINDS =
            Map.of(
                    "FlinkDeployment",
                    FlinkDeployment.class,
                    "FlinkSessionJob",
                    FlinkSessionJob.class,
                    "PrometheusRule",
                    PrometheusRule.class);

    private final String overlay;
    private final List<Map<String, Object>> objects;

    private Manifests(String overlay, List<Map<String, Object>> objects) {
        this.overlay = overlay;
        this.objects = objects;
    }

    /** Renders an overlay from the manifests packaged on the classpath. */
    public static Manifests render(String overlay) {
        return render(
                overlay,
                BuildInfo.version(),
                path -> Manifests.class.getResourceAsStream("/" + path));
    }

    /**
     * Renders an overlay from any file source (tests use folders).
     *
     * @param files opens a '/'-separated path below the manifest root's parent, null if absent
     */
    public static Manifests render(
            String overlay, String version, Function<String, java.io.InputStream> files) {
        if (!overlay.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("not an overlay name: " + overlay);
        }
        String dir = ROOT + "/overlays/" + overlay;
        try (java.io.InputStream probe = files.apply(dir + "/kustomization.yaml")) {
            if (probe == null) {
                throw new IllegalArgumentException(
                        "no overlay '" + overlay + "' (known: dev, prod)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Map<String, Object>> objects = new Kustomize(files).build(dir);
        objects = objects.stream().map(o -> substitute(o, version)).collect(Collectors.toList());
        fillJobArgs(objects);
        fillAlertRules(objects, files);
        objects.sort(
                Comparator.comparingInt((Map<String, Object> o) -> kindRank(o))
                        .thenComparing(o -> String.valueOf(metadata(o).get("name"))));
        return new Manifests(overlay, List.copyOf(objects));
    }

    public String overlay() {
        return overlay;
    }

    /** The objects as plain maps, in render order. */
    public List<Map<String, Object>> objects() {
        return objects;
    }

    /**
     * The objects as Kubernetes and Flink-operator model types. Flink resources are read strictly
     * (an unknown field fails); core kinds must be known to fabric8's model.
     */
    public List<HasMetadata> typed() {
        ObjectMapper strict =
                Serialization.jsonMapper()
                        .copy()
                        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<HasMetadata> typed = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            Class<? extends HasMetadata> custom = CUSTOM_KINDS.get(object.get("kind"));
            HasMetadata resource;
            if (custom != null) {
                resource = strict.convertValue(object, custom);
            } else {
                resource = Serialization.unmarshal(Serialization.asJson(object), HasMetadata.class);
            }
            if (resource instanceof GenericKubernetesResource) {
                throw new IllegalArgumentException(
                        "no model type for " + object.get("apiVersion") + " " + object.get("kind"));
            }
            typed.add(resource);
        }
        return typed;
    }

    /** The manifests as one multi-document YAML stream. */
    public String yaml() {
        ObjectMapper yaml =
                new ObjectMapper(
                        YAMLFactory.builder()
                                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                                .build());
        StringBuilder out = new StringBuilder();
        out.append("# kb-stream ")
                .append(overlay)
                .append(" manifests, rendered by `kb k8s render` — do not edit\n");
        for (Map<String, Object> object : objects) {
            try {
                out.append("---\n").append(yaml.writeValueAsString(object));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    /** The object of this kind and name; fails if there is none. */
    public Map<String, Object> get(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(metadata(o).get("name")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + kind + " " + name));
    }

    /** The {@code flinkConfiguration} of the FlinkDeployment called {@code name}. */
    @SuppressWarnings("unchecked")
    public Map<String, String> flinkConfiguration(String name) {
        Map<String, Object> spec = (Map<String, Object>) get("FlinkDeployment", name).get("spec");
        Map<String, String> conf = new TreeMap<>();
        ((Map<String, Object>) spec.get("flinkConfiguration"))
                .forEach((k, v) -> conf.put(k, String.valueOf(v)));
        return conf;
    }

    /**
     * The indexing job's autoscaler settings ({@code job.autoscaler.*}), sorted: what the Flink
     * operator runs its autoscaler with, and the one source of {@code kb autoscale}'s settings.
     */
    public Map<String, String> autoscalerSettings() {
        Map<String, String> settings = new TreeMap<>();
        flinkConfiguration(INDEXING_DEPLOYMENT).entrySet().stream()
                .filter(e -> e.getKey().startsWith(AUTOSCALER_PREFIX))
                .forEach(e -> settings.put(e.getKey(), e.getValue()));
        return settings;
    }

    /** The prefix of the autoscaler's options (flink-autoscaler's {@code AutoScalerOptions}). */
    public static final String AUTOSCALER_PREFIX = "job.autoscaler.";

    /** The overlay's kb.properties as sorted key/values, from its generated ConfigMap. */
    public Map<String, String> kbProperties() {
        return kbProperties(objects);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> kbProperties(List<Map<String, Object>> objects) {
        for (Map<String, Object> o : objects) {
            if ("ConfigMap".equals(o.get("kind")) && CONFIG_MAP.equals(metadata(o).get("name"))) {
                Object text = ((Map<String, Object>) o.get("data")).get(CONFIG_FILE);
                Properties p = new Properties();
                try {
                    p.load(new StringReader(String.valueOf(text)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Map<String, String> sorted = new TreeMap<>();
                p.forEach((k, v) -> sorted.put((String) k, (String) v));
                return sorted;
            }
        }
        return Map.of();
    }

    /**
     * Every job's args: its own, then every kb.properties entry as {@code --key=value}, sorted.
     * Keys must be kb-stream options, and secrets must not be in the file (they come from the
     * Secret).
     */
    @SuppressWarnings("unchecked")
    private static void fillJobArgs(List<Map<String, Object>> objects) {
        Map<String, String> props = kbProperties(objects);
        Map<String, ConfigOption<?>> options =
                KbOptions.all().stream()
                        .collect(Collectors.toMap(ConfigOption::key, Function.identity()));
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            ConfigOption<?> option = options.get(e.getKey());
            if (option == null) {
                throw new IllegalArgumentException(
                        CONFIG_FILE + ": '" + e.getKey() + "' is not a kb-stream option");
            }
            if (option.isSecret()) {
                throw new IllegalArgumentException(
                        CONFIG_FILE
                                + ": '"
                                + e.getKey()
                                + "' is a secret; put it in the kb-secrets Secret instead");
            }
            try {
                // the value must parse as the option's type (e.g. durations are PT30S or millis)
                KbConfig.of(Map.of(e.getKey(), e.getValue())).get(option);
            } catch (RuntimeException bad) {
                throw new IllegalArgumentException(
                        CONFIG_FILE + ": bad value for " + e.getKey() + ": " + bad.getMessage(),
                        bad);
            }
            args.add("--" + e.getKey() + "=" + e.getValue());
        }
        for (Map<String, Object> o : objects) {
            if ("FlinkDeployment".equals(o.get("kind"))) {
                Map<String, Object> spec = (Map<String, Object>) o.get("spec");
                Map<String, Object> job = (Map<String, Object>) spec.get("job");
                if (job != null) {
                    // after the job's own arguments (the UploadJob's --tenant and --input)
                    List<String> all = new ArrayList<>();
                    if (job.get("args") != null) {
                        all.addAll((List<String>) job.get("args"));
                    }
                    all.addAll(args);
                    job.put("args", all);
                }
            }
        }
    }

    /**
     * The PrometheusRule's spec is the rules file itself, read here rather than copied into the
     * manifest: kustomize cannot nest a file's content as structure, and a copy would drift.
     */
    private static void fillAlertRules(
            List<Map<String, Object>> objects, Function<String, java.io.InputStream> files) {
        for (Map<String, Object> o : objects) {
            if ("PrometheusRule".equals(o.get("kind"))
                    && ALERT_RULE_NAME.equals(metadata(o).get("name"))) {
                try (java.io.InputStream in = files.apply(ALERT_RULES)) {
                    if (in == null) {
                        throw new IllegalArgumentException(
                                "manifest file not found: " + ALERT_RULES);
                    }
                    o.put(
                            "spec",
                            new ObjectMapper(new YAMLFactory())
                                    .readValue(in, java.util.LinkedHashMap.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + ALERT_RULES, e);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T substitute(T node, String version) {
        if (node instanceof String s) {
            return (T) s.replace(VERSION_PLACEHOLDER, version);
        }
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, substitute(v, version)));
            return (T) copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(substitute(v, version)));
            return (T) copy;
        }
        return node;
    }

    private static int kindRank(Map<String, Object> object) {
        int i = KIND_ORDER.indexOf(String.valueOf(object.get("kind")));
        return i < 0 ? KIND_ORDER.size() : i;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> object) {
        return (Map<String, Object>) object.get("metadata");
    }

    /** Namespaces the objects are rendered into. */
    public Set<String> namespaces() {
        return objects.stream()
                .map(o -> (String) metadata(o).get("namespace"))
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
