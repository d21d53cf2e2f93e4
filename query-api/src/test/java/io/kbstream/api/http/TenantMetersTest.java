package io.kbstream.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tests for {@link TenantMeters}. */
class TenantMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong();
    private final TenantMeters meters = new TenantMeters(registry, now::get);

    @Test
    void rate_limit_labels_stop_at_the_bound_and_the_rest_count_as_other() {
        for (int t = 0; t < TenantMeters.MAX_TENANT_LABELS + 5; t++) {
            meters.rateLimited("t" + t);
        }
        meters.rateLimited("t0");

        var counters = registry.find("kb.api.rate.limited.requests").counters();
        assertThat(counters).hasSize(TenantMeters.MAX_TENANT_LABELS + 1);
        assertThat(
                        registry.get("kb.api.rate.limited.requests")
                                .tag("tenant", "other")
                                .counter()
                                .count())
                .isEqualTo(5);
        assertThat(
                        registry.get("kb.api.rate.limited.requests")
                                .tag("tenant", "t0")
                                .counter()
                                .count())
                .isEqualTo(2);
    }

    @Test
    void a_tenant_is_active_for_one_minute_after_its_last_request() {
        meters.seen("a");
        now.addAndGet(TimeUnit.SECONDS.toNanos(30));
        meters.seen("b");
        assertThat(registry.get("kb.api.active.tenants").gauge().value()).isEqualTo(2);

        now.addAndGet(TimeUnit.SECONDS.toNanos(31));
        assertThat(registry.get("kb.api.active.tenants").gauge().value()).isEqualTo(1);
    }
}
