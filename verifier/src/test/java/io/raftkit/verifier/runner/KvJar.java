package io.raftkit.verifier.runner;

import java.nio.file.Files;
import java.nio.file.Path;

/** The KV server jar the reactor built before this module (the verifier depends on it for ordering). */
final class KvJar {

    private KvJar() {
    }

    static Path path() {
        Path jar = Path.of("..", "raft-statemachine-kv", "target", "raft-kv.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("the KV server jar " + jar + " is missing: build it first with"
                    + " ./mvnw -pl raft-statemachine-kv -am package -DskipTests (./mvnw verify does this in order)");
        }
        return jar;
    }
}
