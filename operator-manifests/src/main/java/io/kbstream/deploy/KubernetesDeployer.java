package io.kbstream.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.api.status.CommonStatus;

/**
 * Applies rendered {@link Manifests} to a cluster through the fabric8 client (create, or
 * merge-patch what exists), and reads back what the Flink operator and Kubernetes report.
 */
public final class KubernetesDeployer {

    /** What {@link #apply} did to one object. */
    public record Applied(String kind, String namespace, String name, boolean created) {
        @Override
        public String toString() {
            return kind + "/" + name + (created ? " created" : " updated");
        }
    }

    /** One line of {@link #status}. */
    public record Status(String kind, String name, String state, String detail) {
        @Override
        public String toString() {
            return String.format("%-24s %-16s %-12s %s", kind, name, state, detail);
        }
    }

    private final KubernetesClient client;

    public KubernetesDeployer(KubernetesClient client) {
        this.client = Objects.requireNonNull(client);
    }

    /**
     * Creates the namespaces, then creates each object in render order, or merge-patches it when it
     * exists: a patch sets the fields the manifests name and leaves the others alone, so the
     * replicas an HPA chose for the API (the Deployment names none) survive a redeploy, where an
     * update would reset them. (A merge patch rather than a server-side apply: both keep the fields
     * they do not name, and fabric8's mock server, which the tests run against, implements only the
     * merge patch.)
     */
    public List<Applied> apply(Manifests manifests) {
        for (String namespace : manifests.namespaces()) {
            if (client.namespaces().withName(namespace).get() == null) {
                client.namespaces()
                        .resource(
                                new NamespaceBuilder()
                                        .withNewMetadata()
                                        .withName(namespace)
                                        .endMetadata()
                                        .build())
                        .create();
            }
        }
        List<Applied> applied = new ArrayList<>();
        for (HasMetadata resource : manifests.typed()) {
            String namespace = resource.getMetadata().getNamespace();
            String name = resource.getMetadata().getName();
            boolean exists = client.resource(resource).inNamespace(namespace).get() != null;
            var ours = client.resource(resource).inNamespace(namespace);
            if (exists) {
                ours.patch(PatchContext.of(PatchType.JSON_MERGE));
            } else {
                ours.create();
            }
            applied.add(new Applied(resource.getKind(), namespace, name, !exists));
        }
        return applied;
    }

    /** The Flink jobs' lifecycle and job state, and the workloads' readiness, in a namespace. */
    public List<Status> status(String namespace) {
        List<Status> out = new ArrayList<>();
        for (FlinkDeployment d :
                client.resources(FlinkDeployment.class).inNamespace(namespace).list().getItems()) {
            out.add(flinkStatus("FlinkDeployment", d.getMetadata().getName(), d.getStatus()));
        }
        for (FlinkSessionJob j :
                client.resources(FlinkSessionJob.class).inNamespace(namespace).list().getItems()) {
            out.add(flinkStatus("FlinkSessionJob", j.getMetadata().getName(), j.getStatus()));
        }
        for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            int ready = d.getStatus() == null ? 0 : orZero(d.getStatus().getReadyReplicas());
            out.add(
                    replicas(
                            "Deployment",
                            d.getMetadata().getName(),
                            ready,
                            orZero(d.getSpec().getReplicas())));
        }
        for (StatefulSet s :
                client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            int ready = s.getStatus() == null ? 0 : orZero(s.getStatus().getReadyReplicas());
            out.add(
                    replicas(
                            "StatefulSet",
                            s.getMetadata().getName(),
                            ready,
                            orZero(s.getSpec().getReplicas())));
        }
        for (HorizontalPodAutoscaler h :
                client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(namespace)
                        .list()
                        .getItems()) {
            String detail =
                    h.getStatus() == null
                            ? "no metrics yet"
                            : "current "
                                    + orZero(h.getStatus().getCurrentReplicas())
                                    + ", desired "
                                    + orZero(h.getStatus().getDesiredReplicas());
            out.add(
                    new Status(
                            "HorizontalPodAutoscaler",
                            h.getMetadata().getName(),
                            h.getSpec().getMinReplicas() + ".." + h.getSpec().getMaxReplicas(),
                            detail));
        }
        return out;
    }

    private static Status flinkStatus(String kind, String name, CommonStatus<?> status) {
        if (status == null || status.getJobStatus() == null) {
            return new Status(kind, name, "UNKNOWN", "not reconciled by the operator yet");
        }
        String lifecycle =
                status.getLifecycleState() == null ? "-" : status.getLifecycleState().name();
        Object jobState = status.getJobStatus().getState();
        String detail = "job " + (jobState == null ? "-" : jobState);
        if (status.getJobStatus().getJobId() != null) {
            detail += " (" + status.getJobStatus().getJobId() + ")";
        }
        if (status.getError() != null) {
            detail += "; error: " + status.getError();
        }
        return new Status(kind, name, lifecycle, detail);
    }

    private static Status replicas(String kind, String name, int ready, int desired) {
        return new Status(
                kind, name, ready + "/" + desired, ready >= desired ? "ready" : "starting");
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
