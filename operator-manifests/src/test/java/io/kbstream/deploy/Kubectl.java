package io.kbstream.deploy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kubectl the reference check runs ({@code kubectl kustomize}, kustomize v5): the one on PATH,
 * or the one {@code scripts/install-prereqs.sh} puts into {@code .kb/tools/bin} when the machine
 * has none. Missing, the test fails and says how to get it: a skipped comparison would let the
 * renderer drift from kustomize unnoticed.
 */
final class Kubectl {

    private Kubectl() {}

    static Path path() {
        Optional<Path> onPath =
                Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                        .map(dir -> Path.of(dir, "kubectl"))
                        .filter(Files::isExecutable)
                        .findFirst();
        // tests run in the module folder
        Path installed =
                Path.of("..", ".kb", "tools", "bin", "kubectl").toAbsolutePath().normalize();
        return onPath.or(() -> Optional.of(installed).filter(Files::isExecutable))
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "kubectl is needed to compare the renderer with kustomize,"
                                                + " and neither PATH nor "
                                                + installed
                                                + " has it: run ./scripts/install-prereqs.sh"
                                                + " (./kb does), which installs it"));
    }
}
