package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tests for {@link TenantModels}. */
class TenantModelsTest {

    @Test
    void
            a_migrating_tenant_writes_both_models_and_after_the_switch_keeps_the_old_one_until_dropped() {
        TenantModels start = TenantModels.only("t", "old");
        assertThat(start.writeModels()).containsExactly("old");

        TenantModels migrating = start.migratingTo("new");
        assertThat(migrating.active()).isEqualTo("old");
        assertThat(migrating.writeModels()).containsExactly("old", "new");

        TenantModels switched = migrating.switched();
        assertThat(switched).isEqualTo(new TenantModels("t", "new", null, "old"));
        assertThat(switched.writeModels()).containsExactly("new", "old");
        assertThat(switched.switchedBack()).isEqualTo(new TenantModels("t", "old", null, "new"));
        assertThat(switched.withoutPrevious().writeModels()).containsExactly("new");
    }

    @Test
    void switching_without_a_target_or_back_without_a_previous_model_is_refused() {
        TenantModels only = TenantModels.only("t", "old");
        assertThatThrownBy(only::switched).hasMessageContaining("no migration");
        assertThatThrownBy(only::switchedBack).hasMessageContaining("no previous model");
        assertThatThrownBy(() -> only.migratingTo("old"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already searches with old");
    }
}
