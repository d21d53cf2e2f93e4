package io.kbstream.benchmark.report;

import io.kbstream.benchmark.load.Target;
import java.util.Map;

/**
 * One design under test: its endpoint and keys, its tenants (to count what got indexed and to clean
 * up), and its processes by role (for CPU and RSS from /proc).
 */
public record Design(
        String name,
        Target target,
        String searchTenant,
        String uploadTenant,
        Map<String, Long> processes) {}
