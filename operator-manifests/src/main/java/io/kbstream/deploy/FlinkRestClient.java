package io.kbstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kbstream.client.http.HttpTransport;
import io.kbstream.client.http.Multipart;
import io.kbstream.client.http.Request;
import io.kbstream.client.http.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Submits and controls jobs on any Flink cluster through its REST API (what {@code flink run} does,
 * without a Flink distribution): upload the jar, run it (optionally from a savepoint), watch its
 * state, stop it with a savepoint, cancel it. Speaks over the project's one HTTP transport ({@code
 * kb-client}'s {@link HttpTransport}).
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL =
            Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED");

    private final URI base;
    private final HttpTransport http;

    /**
     * @param base the cluster's REST address, e.g. {@code http://jobmanager:8081}
     */
    public FlinkRestClient(URI base) {
        String s = Objects.requireNonNull(base).toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.http = new HttpTransport(Duration.ofSeconds(5));
    }

    /** The cluster overview ({@code /overview}): task managers, slots, jobs running. */
    public JsonNode overview() {
        return get("overview");
    }

    /** Uploads a jar; returns the id the cluster gives it for {@link #run}. */
    public String uploadJar(Path jar) {
        Request request =
                Request.of("POST", base.resolve("jars/upload"))
                        .timeout(Duration.ofMinutes(5))
                        .body(
                                new Multipart()
                                        .file(
                                                "jarfile",
                                                jar.getFileName().toString(),
                                                "application/x-java-archive",
                                                jar));
        JsonNode response = send(request);
        String file = response.path("filename").asText();
        if (!"success".equals(response.path("status").asText()) || file.isEmpty()) {
            throw new IllegalStateException("jar upload failed: " + response);
        }
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * Runs an uploaded jar; returns the job id.
     *
     * @param savepoint a savepoint or retained checkpoint to start from, or null
     * @param parallelism the job's default parallelism, or null for the cluster's: the run endpoint
     *     always hands the job one, so a parallelism the job sets for itself only where the cluster
     *     leaves it unset never takes effect
     */
    public String run(
            String jarId,
            String entryClass,
            List<String> args,
            String savepoint,
            Integer parallelism) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        body.set("programArgsList", JSON.valueToTree(args));
        if (parallelism != null) {
            body.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        JsonNode response = post("jars/" + jarId + "/run", body, Duration.ofMinutes(3));
        return response.path("jobid").asText();
    }

    /** The states of every job the cluster knows ({@code /jobs/overview}), e.g. RUNNING. */
    public List<String> jobStates() {
        List<String> states = new ArrayList<>();
        get("jobs/overview").path("jobs").forEach(job -> states.add(job.path("state").asText()));
        return states;
    }

    /** The job's state: CREATED, RUNNING, FINISHED, FAILED, CANCELED, ... */
    public String state(String jobId) {
        return get("jobs/" + jobId).path("state").asText();
    }

    /** Waits until the job is in {@code state}; fails early if it ends in another state. */
    public void awaitState(String jobId, String state, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = null;
        while (Instant.now().isBefore(deadline)) {
            last = state(jobId);
            if (last.equals(state)) {
                return;
            }
            if (TERMINAL.contains(last)) {
                throw new IllegalStateException(
                        "job "
                                + jobId
                                + " is "
                                + last
                                + ", not "
                                + state
                                + ": "
                                + exceptions(jobId));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "job " + jobId + " still " + last + " after " + timeout + ", wanted " + state);
    }

    /** Stops the job with a savepoint in {@code targetDirectory}; returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        String trigger =
                post("jobs/" + jobId + "/stop", body, Duration.ofSeconds(30))
                        .path("request-id")
                        .asText();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException(
                            "savepoint failed: " + operation.path("failure-cause"));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no savepoint for " + jobId + " after " + timeout);
    }

    /**
     * Each vertex's parallelism upper bound as the adaptive scheduler holds it ({@code GET
     * /jobs/:id/resource-requirements}), by vertex id.
     */
    public Map<String, Integer> parallelismBounds(String jobId) {
        Map<String, Integer> bounds = new TreeMap<>();
        get("jobs/" + jobId + "/resource-requirements")
                .fields()
                .forEachRemaining(
                        e ->
                                bounds.put(
                                        e.getKey(),
                                        e.getValue()
                                                .path("parallelism")
                                                .path("upperBound")
                                                .asInt()));
        return bounds;
    }

    /**
     * Asks the adaptive scheduler to run each named vertex at up to the given parallelism (lower
     * bound 1: it still runs with fewer slots); it rescales in place, restarting the job from its
     * latest checkpoint. Vertices not named keep their bounds.
     */
    public void requireParallelism(String jobId, Map<String, Integer> upperBounds) {
        ObjectNode body = JSON.createObjectNode();
        get("jobs/" + jobId + "/resource-requirements")
                .fields()
                .forEachRemaining(e -> body.set(e.getKey(), e.getValue()));
        upperBounds.forEach(
                (vertex, p) -> {
                    ObjectNode bounds = JSON.createObjectNode().put("lowerBound", 1);
                    bounds.put("upperBound", p);
                    body.set(vertex, JSON.createObjectNode().set("parallelism", bounds));
                });
        try {
            send(
                    Request.of("PUT", base.resolve("jobs/" + jobId + "/resource-requirements"))
                            .json(JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running parallelism of each vertex ({@code GET /jobs/:id}), by vertex name. */
    public Map<String, Integer> vertexParallelism(String jobId) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        get("jobs/" + jobId)
                .path("vertices")
                .forEach(v -> out.put(v.path("name").asText(), v.path("parallelism").asInt()));
        return out;
    }

    /** The ids of the jobs in {@code state} ({@code /jobs/overview}). */
    public List<String> jobIds(String state) {
        List<String> ids = new ArrayList<>();
        get("jobs/overview")
                .path("jobs")
                .forEach(
                        job -> {
                            if (job.path("state").asText().equals(state)) {
                                ids.add(job.path("jid").asText());
                            }
                        });
        return ids;
    }

    /** The job's configuration as the JobManager holds it ({@code /jobs/:id/jobmanager/config}). */
    public Map<String, String> jobConfiguration(String jobId) {
        Map<String, String> conf = new TreeMap<>();
        get("jobs/" + jobId + "/jobmanager/config")
                .forEach(e -> conf.put(e.path("key").asText(), e.path("value").asText()));
        return conf;
    }

    /** Cancels the job (no savepoint). */
    public void cancel(String jobId) {
        send(Request.of("PATCH", base.resolve("jobs/" + jobId + "?mode=cancel")));
    }

    /** The root exception the cluster recorded for the job, if any (for error messages). */
    public String exceptions(String jobId) {
        try {
            return get("jobs/" + jobId + "/exceptions").path("root-exception").asText("none");
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private JsonNode get(String path) {
        return send(Request.get(base.resolve(path)));
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) {
        try {
            return send(
                    Request.of("POST", base.resolve(path))
                            .timeout(timeout)
                            .json(JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(Request request) {
        try {
            Response response = http.send(request);
            if (!response.ok()) {
                throw new IllegalStateException(
                        request + " → " + response.statusCode() + ": " + response.body());
            }
            return response.body().isBlank()
                    ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Flink REST call failed: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
