package io.raftkit.kv.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raft-kv member list|add|promote|remove|lead}: membership changes over the HTTP API
 * ({@code /v1/members}, {@code /v1/leader}). Any member will do: a follower forwards a change to the
 * leader. Each exits 0 when the change is committed, 1 when it was refused or failed (the message
 * says why, and whether it may still happen), 2 on bad usage.
 */
@Command(name = "member", mixinStandardHelpOptions = true,
        description = {"Lists and changes the cluster's members (joint consensus, thesis §4.3): one change at a time,"
                + " each answered once committed.",
                "Replacing a dead node: start the new one with 'raft-kv server --join URL' (or 'member add'), wait until"
                        + " 'member list' shows it caught up, 'member promote' it, then 'member remove' the dead one."},
        subcommands = {MemberCommands.ListMembers.class, MemberCommands.Add.class, MemberCommands.Promote.class,
                MemberCommands.Remove.class, MemberCommands.Lead.class})
final class MemberCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    abstract static class Base implements Callable<Integer> {
        static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        @Option(names = "--endpoints", required = true, split = ",", paramLabel = "URL",
                description = "node base URLs, e.g. http://127.0.0.1:8001,http://127.0.0.1:8002; tried in order")
        List<String> endpoints;

        @Option(names = "--timeout-ms", defaultValue = "30000", description = "give up on a node after this long (default ${DEFAULT-VALUE})")
        long timeoutMillis;

        @Option(names = "--json", description = "print the answer as JSON")
        boolean json;

        abstract HttpRequest.Builder request(String baseUrl);

        @Override
        public Integer call() {
            String last = "no endpoint given";
            for (String endpoint : endpoints) {
                String base = endpoint.trim().replaceAll("/+$", "");
                HttpResponse<String> r;
                try {
                    URI.create(base + "/").toURL();
                    r = HTTP.send(request(base).timeout(Duration.ofMillis(timeoutMillis)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (IllegalArgumentException | java.net.MalformedURLException e) {
                    System.err.println("raft-kv member: --endpoints: '" + endpoint + "' is not a URL like http://127.0.0.1:8001");
                    return Main.BAD_USAGE;
                } catch (IOException e) {
                    last = base + ": " + e;
                    continue; // the next endpoint: nothing reached this one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
                JsonObject body;
                try {
                    body = new JsonObject(r.body());
                } catch (DecodeException e) {
                    last = base + ": HTTP " + r.statusCode() + " with a body that is not JSON";
                    continue;
                }
                // No leader, or this node cannot reach it: another node may do better. Nothing was applied.
                if (r.statusCode() == 503 && "not-applied".equals(body.getString("outcome"))) {
                    last = base + ": " + body.getString("message");
                    continue;
                }
                if (r.statusCode() != 200) {
                    System.err.println("raft-kv member: " + body.getString("error") + ": " + body.getString("message")
                            + " (outcome: " + body.getString("outcome") + ")");
                    return 1;
                }
                print(body);
                return 0;
            }
            System.err.println("raft-kv member: no endpoint answered (outcome: not-applied); last: " + last);
            return 1;
        }

        void print(JsonObject members) {
            if (json) {
                System.out.println(members.encodePrettily());
                return;
            }
            System.out.println(table(members, this::applied));
        }

        /** A member's applied index from its own /v1/status, or "-" when it does not answer. */
        String applied(String httpUrl) {
            if (httpUrl == null) {
                return "-";
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl + "/v1/status"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? String.valueOf(new JsonObject(r.body()).getLong("appliedIndex")) : "-";
            } catch (IOException | RuntimeException e) {
                return "-";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "-";
            }
        }

        static String table(JsonObject doc, java.util.function.Function<String, String> applied) {
            StringBuilder out = new StringBuilder();
            out.append(String.format("%-12s %-8s %-8s %-22s %-30s %-10s %s%n", "ID", "ROLE", "LEADER", "RAFT", "HTTP", "MATCH",
                    "APPLIED"));
            JsonArray members = doc.getJsonArray("members");
            for (int i = 0; i < members.size(); i++) {
                JsonObject m = members.getJsonObject(i);
                String role = m.getString("role") + (m.getBoolean("outgoing", false) ? " (outgoing)" : "");
                Long match = m.getLong("matchIndex");
                out.append(String.format("%-12s %-8s %-8s %-22s %-30s %-10s %s%n", m.getString("id"), role,
                        m.getString("id").equals(doc.getString("leader")) ? "*" : "", m.getString("raft"),
                        m.getString("http"), match == null ? "-" : match, applied.apply(m.getString("http"))));
            }
            if (doc.getBoolean("joint", false)) {
                out.append("joint configuration: a change is under way\n");
            }
            if (doc.getString("leader") == null) {
                out.append("no leader known\n");
            }
            return out.toString().stripTrailing();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Lists the members as the first node that answers knows them: id, role, leader, addresses, the"
                    + " leader's matchIndex for each (when the node that answers leads; '-' otherwise) and each member's"
                    + " applied index from its own /v1/status ('-' when it does not answer).",
                    "A new learner has caught up when its match and applied indexes are close to the leader's."})
    static final class ListMembers extends Base {
        @Override
        HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + "/v1/members")).GET();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds a learner: it receives the log (or a snapshot) and never votes until promoted.",
                    "Usually 'raft-kv server --join URL' on the new node does this itself."})
    static final class Add extends Base {
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--raft", required = true, paramLabel = "HOST:PORT", description = "the new node's Raft address") String raft;
        @Option(names = "--http", required = true, paramLabel = "URL", description = "the new node's HTTP base URL, http://host:port") String http;

        @Override
        HttpRequest.Builder request(String base) {
            return post(base + "/v1/members", new JsonObject().put("id", id).put("raft", raft).put("http", http));
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes a learner a voter (refused while it lags more than 1,000 entries behind: retry once it caught up).")
    static final class Promote extends Base {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + "/v1/members/" + id + "/promote")).POST(HttpRequest.BodyPublishers.noBody());
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes a member, dead or alive; the leader too (it steps down once the change is committed).")
    static final class Remove extends Base {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + "/v1/members/" + id)).DELETE();
        }
    }

    @Command(name = "lead", mixinStandardHelpOptions = true,
            description = "Moves leadership to voter ID (thesis §3.10) and answers once it leads.")
    static final class Lead extends Base {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        HttpRequest.Builder request(String base) {
            return post(base + "/v1/leader", new JsonObject().put("id", id));
        }
    }

    static HttpRequest.Builder post(String url, JsonObject body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    }
}
