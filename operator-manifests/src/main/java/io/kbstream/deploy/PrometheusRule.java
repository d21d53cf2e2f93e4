package io.kbstream.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator's {@code PrometheusRule} ({@code monitoring.coreos.com/v1}), as far as
 * kb-stream's alert rules use it: its spec is a Prometheus rules file. A model of its own because
 * {@link Manifests#typed()} reads every object strictly; a field the rules file gains that is not
 * modelled here fails the manifests' tests instead of being dropped on apply.
 */
@Group("monitoring.coreos.com")
@Version("v1")
@Kind("PrometheusRule")
@Plural("prometheusrules")
public final class PrometheusRule extends CustomResource<PrometheusRule.Spec, Void>
        implements Namespaced {

    /** The rule groups, exactly the {@code groups:} of a Prometheus rules file. */
    public record Spec(List<RuleGroup> groups) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RuleGroup(String name, String interval, List<Rule> rules) {}

    /** An alerting ({@code alert}) or recording ({@code record}) rule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(
            String alert,
            String record,
            String expr,
            @JsonProperty("for") String forDuration,
            Map<String, String> labels,
            Map<String, String> annotations) {}
}
