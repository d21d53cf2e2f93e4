package io.kbstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Submits and controls jobs on any Flink cluster through its REST API (what {@code flink run} does,
 * without a Flink distribution): upload the jar, run it (optionally from a savepoint), watch its
 * state, stop it with a savepoint, cancel it.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL =
            Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED");

    private final URI base;
    private final HttpClient http;

    /**
     * @param base the cluster's REST address, e.g. {@code http://jobmanager:8081}
     */
    public FlinkRestClient(URI base) {
        String s = Objects.requireNonNull(base).toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The cluster overview ({@code /overview}): task managers, slots, jobs running. */
    public JsonNode overview() {
        return get("overview");
    }

    /** Uploads a jar; returns the id the cluster gives it for {@link #run}. */
    public String uploadJar(Path jar) {
        String boundary = "kb-" + UUID.randomUUID();
        String head =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName()
                        + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("jars/upload"))
                        .timeout(Duration.ofMinutes(5))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.ofInputStream(
                                        () -> multipart(head, jar, tail)))
                        .build();
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
     */
    public String run(String jarId, String entryClass, List<String> args, String savepoint) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        body.set("programArgsList", JSON.valueToTree(args));
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        JsonNode response = post("jars/" + jarId + "/run", body, Duration.ofMinutes(3));
        return response.path("jobid").asText();
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

    /** Cancels the job (no savepoint). */
    public void cancel(String jobId) {
        HttpRequest request =
                HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                        .timeout(Duration.ofSeconds(30))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build();
        send(request);
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
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build());
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) {
        try {
            return send(
                    HttpRequest.newBuilder(base.resolve(path))
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            JSON.writeValueAsString(body)))
                            .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        request.method()
                                + " "
                                + request.uri()
                                + " → "
                                + response.statusCode()
                                + ": "
                                + response.body());
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

    private static InputStream multipart(String head, Path jar, String tail) {
        try {
            return new SequenceInputStream(
                    Collections.enumeration(
                            List.of(
                                    new java.io.ByteArrayInputStream(
                                            head.getBytes(StandardCharsets.UTF_8)),
                                    Files.newInputStream(jar),
                                    new java.io.ByteArrayInputStream(
                                            tail.getBytes(StandardCharsets.UTF_8)))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
