package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.junit.jupiter.api.Test;

/** Tests for {@link KubernetesDeployer}, against fabric8's Kubernetes mock server (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class KubernetesDeployerTest {

    private KubernetesClient client;

    @Test
    void apply_keeps_the_api_replicas_the_hpa_chose() {
        Manifests prod = Manifests.render("prod");
        KubernetesDeployer deployer = new KubernetesDeployer(client);
        deployer.apply(prod);
        // the HPA scaled the API out meanwhile
        client.apps().deployments().inNamespace("kb-prod").withName("kb-api").scale(17);

        deployer.apply(prod);

        assertThat(
                        client.apps()
                                .deployments()
                                .inNamespace("kb-prod")
                                .withName("kb-api")
                                .get()
                                .getSpec()
                                .getReplicas())
                .isEqualTo(17);
    }

    @Test
    void apply_creates_every_resource_then_updates_them_and_status_reads_them_back() {
        Manifests prod = Manifests.render("prod");
        KubernetesDeployer deployer = new KubernetesDeployer(client);

        List<KubernetesDeployer.Applied> first = deployer.apply(prod);

        assertThat(first)
                .hasSize(prod.objects().size())
                .allMatch(KubernetesDeployer.Applied::created);
        assertThat(client.namespaces().withName("kb-prod").get()).isNotNull();
        FlinkDeployment indexing =
                client.resources(FlinkDeployment.class)
                        .inNamespace("kb-prod")
                        .withName("kb-indexing")
                        .get();
        assertThat(indexing.getSpec().getJob().getJarURI()).isEqualTo(BuildInfo.jobJarUri());
        assertThat(indexing.getSpec().getFlinkConfiguration())
                .containsEntry("job.autoscaler.enabled", "true");

        // a changed manifest is an update of the same objects, not a second copy
        List<KubernetesDeployer.Applied> second = deployer.apply(prod);

        assertThat(second).hasSize(first.size()).noneMatch(KubernetesDeployer.Applied::created);
        assertThat(client.resources(FlinkDeployment.class).inNamespace("kb-prod").list().getItems())
                .hasSize(2);
        Deployment api =
                client.apps().deployments().inNamespace("kb-prod").withName("kb-api").get();
        assertThat(api.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("kb-stream/kb-api:" + BuildInfo.version());

        // what the operator would report
        FlinkDeploymentStatus status = new FlinkDeploymentStatus();
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        status.getJobStatus().setState(JobStatus.RUNNING);
        status.getJobStatus().setJobId("0123456789abcdef0123456789abcdef");
        indexing.setStatus(status);
        client.resource(indexing).inNamespace("kb-prod").updateStatus();

        List<KubernetesDeployer.Status> report = deployer.status("kb-prod");

        assertThat(report)
                .filteredOn(s -> s.name().equals("kb-indexing"))
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.kind()).isEqualTo("FlinkDeployment");
                            assertThat(s.detail())
                                    .contains("RUNNING", "0123456789abcdef0123456789abcdef");
                        });
        assertThat(report)
                .extracting(KubernetesDeployer.Status::name)
                .contains("kb-upload", "kb-api", "kb-shard", "kb-kafka", "kb-redis");
        assertThat(report)
                .filteredOn(s -> s.kind().equals("HorizontalPodAutoscaler"))
                .singleElement()
                .extracting(KubernetesDeployer.Status::state)
                .isEqualTo("3..100");
    }
}
