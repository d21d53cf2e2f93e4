package io.kbstream.core.store;

/**
 * A shard's connection pool at one moment: connections in use, idle, callers waiting for one, and
 * the pool's maximum (what the API's {@code hikaricp_connections_*} gauges report).
 */
public record PoolUsage(int active, int idle, int pending, int max) {}
