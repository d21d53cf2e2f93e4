package io.kbstream.cli.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kbstream.deploy.KubernetesDeployer;
import io.kbstream.deploy.Manifests;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb k8s}: render the Kubernetes manifests of an overlay, apply them to the current kube
 * context, and read back what the Flink operator and Kubernetes report.
 */
@Command(
        name = "k8s",
        mixinStandardHelpOptions = true,
        description = "Deploy to Kubernetes (Flink operator + autoscaler): render, apply, status.",
        subcommands = {K8sCommand.Render.class, K8sCommand.Apply.class, K8sCommand.Status.class})
public final class K8sCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options shared by the subcommands. */
    static final class Target {
        @Option(
                names = "--overlay",
                defaultValue = "dev",
                description = "Kustomize overlay: dev or prod (default: ${DEFAULT-VALUE}).")
        String overlay;

        @Option(
                names = "--server",
                description =
                        "Kubernetes API URL; default: the current context of ~/.kube/config"
                                + " (or the in-cluster service account).")
        String server;

        /** For the CLI's error handler: one line instead of a stack trace. */
        static IllegalArgumentException unreachable(KubernetesClientException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return new IllegalArgumentException(
                    "Kubernetes API call failed: " + e.getMessage() + " (" + root + ")", e);
        }

        KubernetesClient client() {
            Config config =
                    server == null
                            ? Config.autoConfigure(null)
                            : new ConfigBuilder(Config.autoConfigure(null))
                                    .withMasterUrl(server)
                                    .build();
            return new KubernetesClientBuilder().withConfig(config).build();
        }
    }

    @Command(
            name = "render",
            mixinStandardHelpOptions = true,
            description =
                    "Print the manifests (YAML) with the job's version and config filled in;"
                            + " the same input gives byte-identical output.")
    static final class Render implements Callable<Integer> {
        @CommandLine.Mixin Target target = new Target();

        @Override
        public Integer call() {
            System.out.print(Manifests.render(target.overlay).yaml());
            return 0;
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description =
                    "Create or update the manifests in the cluster (needs the Flink operator's CRDs"
                            + " and the kb-secrets Secret).")
    static final class Apply implements Callable<Integer> {
        @CommandLine.Mixin Target target = new Target();

        @Override
        public Integer call() {
            Manifests manifests = Manifests.render(target.overlay);
            try (KubernetesClient client = target.client()) {
                System.out.println("applying " + target.overlay + " to " + client.getMasterUrl());
                new KubernetesDeployer(client).apply(manifests).forEach(System.out::println);
            } catch (KubernetesClientException e) {
                throw Target.unreachable(e);
            }
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "Show the Flink jobs' lifecycle and job state (as the operator reports them)"
                            + " and the workloads' readiness.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin Target target = new Target();

        @Override
        public Integer call() {
            String namespace = Manifests.render(target.overlay).namespaces().iterator().next();
            try (KubernetesClient client = target.client()) {
                new KubernetesDeployer(client).status(namespace).forEach(System.out::println);
            } catch (KubernetesClientException e) {
                throw Target.unreachable(e);
            }
            return 0;
        }
    }
}
