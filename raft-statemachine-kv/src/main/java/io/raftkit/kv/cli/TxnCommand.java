package io.raftkit.kv.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raft-kv txn}: one transaction ({@code POST /v1/txn}) from flags, operations in the order
 * given. Sent once, to the first endpoint that takes the connection (a follower forwards it to the
 * leader); a request that was sent is never resent, since without a session it could apply twice.
 * Prints the JSON answer; exits 0 when applied, 3 when a guard did not hold, 1 on an error, 2 on
 * bad usage.
 */
@Command(name = "txn", mixinStandardHelpOptions = true,
        description = {"An atomic transaction: guards, then operations applied in one Raft log entry, in the order given.",
                "Example: raft-kv txn --endpoints URL --if-version k=0 --put k=v --append log=x --get k",
                "Exits 0 when applied, 3 when a guard did not hold (nothing applied), 1 on an error."})
final class TxnCommand implements Callable<Integer> {

    static final int GUARD_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--endpoints", required = true, split = ",", paramLabel = "URL",
            description = "node base URLs, e.g. http://127.0.0.1:8001,http://127.0.0.1:8002")
    List<String> endpoints;
    @Option(names = "--timeout-ms", defaultValue = "5000", description = "how long to wait for the answer (default ${DEFAULT-VALUE})")
    long timeoutMillis;

    @Option(names = "--if", paramLabel = "KEY=VALUE", description = "guard: the key holds VALUE") List<String> ifValue;
    @Option(names = "--if-version", paramLabel = "KEY=N", description = "guard: the key's version is N (0: absent)") List<String> ifVersion;
    @Option(names = "--if-exists", paramLabel = "KEY", description = "guard: the key exists") List<String> ifExists;
    @Option(names = "--if-absent", paramLabel = "KEY", description = "guard: the key does not exist") List<String> ifAbsent;
    @Option(names = "--get", paramLabel = "KEY", description = "read a key") List<String> get;
    @Option(names = "--put", paramLabel = "KEY=VALUE", description = "set a key") List<String> put;
    @Option(names = "--delete", paramLabel = "KEY", description = "remove a key") List<String> delete;
    @Option(names = "--append", paramLabel = "KEY=VALUE", description = "append VALUE to the list at the key") List<String> append;

    @Override
    public Integer call() {
        JsonObject body;
        try {
            body = body(spec.commandLine().getParseResult().matchedArgs());
        } catch (IllegalArgumentException e) {
            System.err.println("raft-kv txn: " + e.getMessage());
            return Main.BAD_USAGE;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMillis))
                .version(HttpClient.Version.HTTP_1_1).build();
        String lastError = "no endpoint given";
        for (String endpoint : endpoints) {
            URI uri;
            try {
                uri = URI.create(endpoint.replaceAll("/+$", "") + "/v1/txn");
            } catch (IllegalArgumentException e) {
                System.err.println("raft-kv txn: --endpoints: '" + endpoint + "' is not a URL: " + e.getMessage());
                return Main.BAD_USAGE;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(timeoutMillis))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonObject answer = new JsonObject(r.body());
                System.out.println(answer.encodePrettily());
                if (r.statusCode() != 200) {
                    return 1;
                }
                return answer.getBoolean("succeeded", false) ? 0 : GUARD_FAILED;
            } catch (ConnectException e) {
                lastError = endpoint + " refused the connection"; // nothing was sent: the next endpoint may take it
            } catch (IOException | RuntimeException e) {
                System.err.println("raft-kv txn: " + endpoint + ": " + e.getMessage() + " (outcome: unknown)");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        System.err.println("raft-kv txn: no endpoint took the request; last: " + lastError + " (outcome: not-applied)");
        return 1;
    }

    /** The request body, guards and operations in the order their flags were given. */
    static JsonObject body(List<ArgSpec> matched) {
        JsonArray guards = new JsonArray();
        JsonArray ops = new JsonArray();
        java.util.Map<ArgSpec, Integer> used = new java.util.IdentityHashMap<>();
        for (ArgSpec arg : matched) {
            if (!(arg instanceof OptionSpec option)) {
                continue;
            }
            List<String> values = option.stringValues();
            int i = used.merge(arg, 1, Integer::sum) - 1;
            if (i >= values.size()) {
                continue;
            }
            String value = values.get(i);
            String name = option.longestName();
            switch (name) {
                case "--if" -> {
                    String[] kv = pair(name, value);
                    guards.add(new JsonObject().put("key", kv[0]).put("value", kv[1]));
                }
                case "--if-version" -> {
                    String[] kv = pair(name, value);
                    try {
                        guards.add(new JsonObject().put("key", kv[0]).put("version", Long.parseLong(kv[1])));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(name + " " + value + ": the version must be a whole number");
                    }
                }
                case "--if-exists" -> guards.add(new JsonObject().put("key", value).put("exists", true));
                case "--if-absent" -> guards.add(new JsonObject().put("key", value).put("exists", false));
                case "--get" -> ops.add(new JsonObject().put("op", "get").put("key", value));
                case "--delete" -> ops.add(new JsonObject().put("op", "delete").put("key", value));
                case "--put", "--append" -> {
                    String[] kv = pair(name, value);
                    ops.add(new JsonObject().put("op", name.substring(2)).put("key", kv[0]).put("value", kv[1]));
                }
                default -> { } // --endpoints, --timeout-ms
            }
        }
        if (ops.isEmpty() && guards.isEmpty()) {
            throw new IllegalArgumentException("give at least one operation (--get, --put, --delete, --append) or guard");
        }
        return new JsonObject().put("guards", guards).put("ops", ops);
    }

    private static String[] pair(String flag, String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(flag + " " + value + ": expected KEY=VALUE");
        }
        return new String[]{value.substring(0, eq), value.substring(eq + 1)};
    }

    /** For tests: the body a command line asks for. */
    static JsonObject bodyOf(String... args) {
        CommandLine cl = new CommandLine(new TxnCommand());
        return body(cl.parseArgs(args).matchedArgs());
    }
}
