package io.kbstream.cli;

import io.kbstream.client.TenantInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kb tenant create|list|delete}: tenants through the admin API. */
@Command(
        name = "tenant",
        mixinStandardHelpOptions = true,
        description = "Create, list or delete tenants (admin API, local operator key).",
        subcommands = {
            TenantCommand.Create.class,
            TenantCommand.ListTenants.class,
            TenantCommand.Delete.class
        })
final class TenantCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("usage: kb tenant create|list|delete (see kb tenant --help)");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "Tenant id: lower-case letters, digits, - and _.")
        String tenant;

        @Override
        public Integer call() {
            return AdminCalls.run(api -> print(api.createTenant(tenant)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenants.")
    static final class ListTenants implements Callable<Integer> {
        @Override
        public Integer call() {
            return AdminCalls.run(api -> api.tenants().forEach(TenantCommand::print));
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description =
                    "Delete a tenant and all its data (its keys are refused at once; the data is"
                            + " removed in the background).")
    static final class Delete implements Callable<Integer> {
        @Parameters(index = "0", description = "Tenant id.")
        String tenant;

        @Override
        public Integer call() {
            return AdminCalls.run(
                    api -> {
                        api.deleteTenant(tenant);
                        System.out.println(
                                tenant + "  DELETING (its keys are refused from now on)");
                    });
        }
    }

    static void print(TenantInfo t) {
        System.out.printf(
                "%-24s %-8s created %s  quotas: %d documents, %d bytes, %.1f requests/s%n",
                t.tenant(),
                t.status(),
                t.createdAt(),
                t.maxDocuments(),
                t.maxBytes(),
                t.maxRequestsPerSecond());
    }
}
