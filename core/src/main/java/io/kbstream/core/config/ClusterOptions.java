package io.kbstream.core.config;

/**
 * The local standalone Flink cluster ({@code kb cluster up}): a JobManager and TaskManagers in
 * their own JVMs on 127.0.0.1, the adaptive scheduler, and the autoscaler that drives it ({@code kb
 * autoscale}).
 */
public final class ClusterOptions {

    private ClusterOptions() {}

    public static final ConfigOption<Integer> TASK_MANAGERS =
            ConfigOption.key("kb.cluster.task-managers")
                    .intType()
                    .defaultValue(2)
                    .withDescription("TaskManagers of the local Flink cluster.");

    public static final ConfigOption<Integer> SLOTS =
            ConfigOption.key("kb.cluster.slots-per-task-manager")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Task slots per TaskManager: the cluster runs a vertex at most at"
                                    + " task-managers x slots.");

    public static final ConfigOption<String> TASK_MANAGER_MEMORY =
            ConfigOption.key("kb.cluster.task-manager-memory")
                    .stringType()
                    .defaultValue("2560m")
                    .withDescription(
                            "Process memory of each TaskManager (Flink divides it; the ONNX Runtime"
                                    + " budget is task off-heap memory, as in the manifests).");

    public static final ConfigOption<Integer> REST_PORT =
            ConfigOption.key("kb.cluster.rest-port")
                    .intType()
                    .defaultFrom(c -> c.get(StackOptions.PORT_BASE) + 82)
                    .withDescription(
                            "REST API and web UI of the local Flink cluster's JobManager (RPC and"
                                    + " blob server on the next two ports).");

    public static final ConfigOption<String> AUTOSCALER_OVERLAY =
            ConfigOption.key("kb.cluster.autoscaler-overlay")
                    .stringType()
                    .defaultValue("dev")
                    .withDescription(
                            "Kustomize overlay whose FlinkDeployment's job.autoscaler.* settings"
                                    + " kb autoscale uses (the same values the operator would).");
}
