package io.kbstream.cli;

import io.kbstream.client.ApiKeyInfo;
import io.kbstream.client.IssuedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kb key create|list|revoke}: a tenant's API keys through the admin API. */
@Command(
        name = "key",
        mixinStandardHelpOptions = true,
        description = "Create, list or revoke a tenant's API keys (admin API).",
        subcommands = {KeyCommand.Create.class, KeyCommand.ListKeys.class, KeyCommand.Revoke.class})
final class KeyCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("usage: kb key create|list|revoke (see kb key --help)");
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Issue a key; it is printed this once.")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", description = "Tenant id.")
        String tenant;

        @Option(
                names = "--expires-in",
                description = "Lifetime, ISO-8601 (e.g. P30D, PT12H); default: no expiry.")
        Duration expiresIn;

        @Override
        public Integer call() {
            Instant expiresAt = expiresIn == null ? null : Instant.now().plus(expiresIn);
            return AdminCalls.run(
                    api -> {
                        IssuedKey key = api.createKey(tenant, expiresAt);
                        System.out.println(key.key());
                        System.err.println(
                                "key "
                                        + key.prefix()
                                        + "… of "
                                        + key.tenant()
                                        + (key.expiresAt() == null
                                                ? ", no expiry"
                                                : ", expires " + key.expiresAt())
                                        + " (shown once: store it now)");
                    });
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List a tenant's keys (prefixes only).")
    static final class ListKeys implements Callable<Integer> {
        @Parameters(index = "0", description = "Tenant id.")
        String tenant;

        @Override
        public Integer call() {
            return AdminCalls.run(
                    api -> {
                        for (ApiKeyInfo k : api.keys(tenant)) {
                            System.out.printf(
                                    "%-10s %-8s created %s  expires %s%s%n",
                                    k.prefix(),
                                    k.live() ? "LIVE" : "DEAD",
                                    k.createdAt(),
                                    k.expiresAt() == null ? "never" : k.expiresAt(),
                                    k.revokedAt() == null ? "" : "  revoked " + k.revokedAt());
                        }
                    });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key.")
    static final class Revoke implements Callable<Integer> {
        @Parameters(index = "0", description = "Tenant id.")
        String tenant;

        @Parameters(index = "1", description = "The key's prefix (kb key list shows it).")
        String prefix;

        @Override
        public Integer call() {
            return AdminCalls.run(
                    api -> {
                        api.revokeKey(tenant, prefix);
                        System.out.println(
                                prefix + " revoked (every API instance refuses it within seconds)");
                    });
        }
    }
}
