package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.core.config.KbConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The routes registered by {@link ApiServer#routes()} are exactly those of the OpenAPI document.
 */
class OpenApiRoutesITCase {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @Test
    void registered_routes_equal_the_openapi_paths_and_methods() throws IOException {
        Path doc = KbConfig.home().resolve("schemas/openapi/kb-api.yaml");
        Map<String, Object> root = new Yaml().load(Files.readString(doc));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths =
                (Map<String, Map<String, Object>>) root.get("paths");
        Set<String> documented = new TreeSet<>();
        paths.forEach(
                (path, ops) ->
                        ops.keySet().stream()
                                .filter(METHODS::contains)
                                .forEach(m -> documented.add(m.toUpperCase() + " " + path)));

        Set<String> registered;
        try (ApiUnderTest api = new ApiUnderTest()) {
            registered = new TreeSet<>(api.server.registeredRoutes());
        }

        assertThat(registered).isNotEmpty().isEqualTo(documented);
    }
}
