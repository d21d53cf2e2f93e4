package io.kbstream.benchmark.load;

import java.net.URI;

/**
 * One system under test: where it listens and the bearer keys of its two tenants — {@code
 * searchKey} for the tenant holding the bulk-ingested corpus, {@code uploadKey} for the tenant the
 * simulated users upload to (so their uploads do not invalidate the search tenant's cache mid-step,
 * as in the API benchmark).
 */
public record Target(String name, URI base, String searchKey, String uploadKey) {}
