package io.raftkit.kv.cli;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvClientException;
import io.raftkit.kv.client.KvResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raft-kv put|get|delete|cas|status}: one request through {@link KvClient}, which finds the
 * leader. Prints the JSON answer; exits 0 on success, 1 on a refused or failed request, 2 on bad
 * usage, and for {@code cas} 3 when the comparison did not hold.
 */
final class ClientCommands {

    private ClientCommands() {
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--endpoints", required = true, split = ",", paramLabel = "URL",
                description = "node base URLs, e.g. http://127.0.0.1:8001,http://127.0.0.1:8002")
        List<String> endpoints;

        abstract CompletableFuture<KvResponse> send(KvClient client);

        int exitCode(KvResponse response) {
            return response.ok() ? 0 : 1;
        }

        @Override
        public Integer call() {
            KvClient client;
            try {
                client = KvClient.create(endpoints);
            } catch (IllegalArgumentException e) {
                System.err.println("raft-kv: --endpoints: " + e.getMessage());
                return Main.BAD_USAGE;
            }
            try (client) {
                KvResponse response = send(client).get();
                System.out.println(response.body().encodePrettily());
                return exitCode(response);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String outcome = cause instanceof KvClientException k && k.certainlyNotApplied() ? "not-applied" : "unknown";
                System.err.println("raft-kv: " + cause.getMessage() + " (outcome: " + outcome + ")");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Sets a key.")
    static final class Put extends Base {
        @Parameters(index = "0") String key;
        @Parameters(index = "1") String value;

        @Override
        CompletableFuture<KvResponse> send(KvClient client) {
            return client.put(key, value);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Reads a key (linearizable unless --stale).")
    static final class Get extends Base {
        @Parameters(index = "0") String key;
        @Option(names = "--stale", description = "read the node's local state without a barrier") boolean stale;

        @Override
        CompletableFuture<KvResponse> send(KvClient client) {
            return stale ? client.getStale(key) : client.get(key);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Removes a key.")
    static final class Delete extends Base {
        @Parameters(index = "0") String key;

        @Override
        CompletableFuture<KvResponse> send(KvClient client) {
            return client.delete(key);
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
            description = {"Compare-and-set: sets VALUE if the key holds --expected, or is absent with --absent.",
                    "Exits 0 when it set the value, 3 when the key did not match (the current value is printed), 1 on an error."})
    static final class Cas extends Base {
        static final int CAS_FAILED = 3;

        @Parameters(index = "0") String key;
        @Parameters(index = "1") String value;
        @Option(names = "--expected", description = "the value the key must hold") String expected;
        @Option(names = "--absent", description = "the key must not exist") boolean absent;

        @Override
        public Integer call() {
            if ((expected == null) == !absent) {
                System.err.println("raft-kv cas: give exactly one of --expected VALUE or --absent");
                return Main.BAD_USAGE;
            }
            return super.call();
        }

        @Override
        CompletableFuture<KvResponse> send(KvClient client) {
            return client.cas(key, Optional.ofNullable(expected), value);
        }

        /** A comparison that did not hold is an answer, not an error, but scripts must see it. */
        @Override
        int exitCode(KvResponse response) {
            return response.ok() && !response.body().getBoolean("succeeded", false) ? CAS_FAILED : super.exitCode(response);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the status of the leader (or of the first node that answers when none is known).")
    static final class Status extends Base {
        @Override
        CompletableFuture<KvResponse> send(KvClient client) {
            return client.status();
        }
    }
}
