package io.kbstream.client;

/**
 * The 202 of an upload or a delete: the event is durably on Kafka with this version; the status URL
 * follows it through the pipeline.
 */
public record Accepted(String id, long version, Kind kind, String statusUrl) {

    /** What was accepted: an upload (ACCEPTED) or a delete (DELETING). */
    public enum Kind {
        ACCEPTED,
        DELETING
    }
}
