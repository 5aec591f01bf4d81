package io.raftkit.kv.client;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where KvClient sends: the leader when this client can reach it, else a configured endpoint that
 * answered, which forwards to the leader. Nodes advertise the leader's URL as the cluster knows it
 * ({@code leaderHttp} in /v1/status); behind published ports or NAT (the compose file's nodes
 * advertise {@code http://nX:8080}) that URL may not resolve or connect from here, so an advertised
 * URL that is not one of the endpoints is tried once, and a failure sends through the endpoint for
 * {@link #UNREACHABLE_FOR} before it is tried again.
 */
final class LeaderFinder {

    static final Duration UNREACHABLE_FOR = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    /** A GET: completes with the status and body, or exceptionally when no answer came. */
    interface Http {
        CompletableFuture<Answer> get(String url, Duration timeout);

        record Answer(int status, String body) {
        }
    }

    /** Where to send, and whether that node is the leader itself or a relay that forwards. */
    record Target(String url, boolean relay) {
    }

    private final List<String> endpoints;
    private final Http http;
    /** Advertised leader URLs this client could not connect to, with when that was found. */
    private final Map<String, Long> unreachableSinceNanos = new ConcurrentHashMap<>();
    private volatile Target target;

    LeaderFinder(List<String> endpoints, Http http) {
        this.endpoints = endpoints;
        this.http = http;
    }

    /** The current target, or empty when none is known (call {@link #find}). */
    Optional<Target> target() {
        return Optional.ofNullable(target);
    }

    void forget() {
        target = null;
    }

    /** Forgets the target only if it is {@code url}: a late failure from an old target leaves a newer one alone. */
    void forgetIf(String url) {
        Target t = target;
        if (t != null && t.url().equals(url)) {
            target = null;
        }
    }

    /**
     * A request to {@code url} never connected. When that was an advertised leader URL, remember
     * it: the next {@link #find} goes through an endpoint instead.
     */
    void connectFailed(String url) {
        if (!endpoints.contains(url)) {
            unreachableSinceNanos.put(url, System.nanoTime());
        }
        forgetIf(url);
    }

    /**
     * An answer came through a follower that forwarded. Sending to the leader directly saves a hop;
     * when the target was chosen as a relay, forwarding was the point and the target stays.
     */
    void forwardedAnswerSeen() {
        Target t = target;
        if (t != null && !t.relay()) {
            target = null;
        }
    }

    /** Asks the endpoints in turn who leads, until one knows; leaves the target empty if none does. */
    CompletableFuture<Void> find() {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String endpoint : endpoints) {
            chain = chain.thenCompose(v -> target != null ? CompletableFuture.completedFuture(null) : ask(endpoint));
        }
        return chain;
    }

    /**
     * A node that answered ({@code answeredBy}, reachable from here) named the leader: choose it as
     * {@link #find} would have, without asking anyone.
     */
    CompletableFuture<Void> hint(String answeredBy, String leaderUrl) {
        return choose(answeredBy, leaderUrl);
    }

    private CompletableFuture<Void> ask(String endpoint) {
        return http.get(endpoint + "/v1/status", PROBE_TIMEOUT)
                .handle((r, e) -> e == null && r.status() == 200 ? parse(r.body()).getString("leaderHttp") : null)
                .thenCompose(leaderUrl -> leaderUrl == null ? CompletableFuture.completedFuture(null) : choose(endpoint, leaderUrl));
    }

    private CompletableFuture<Void> choose(String endpoint, String leaderUrl) {
        String leader = leaderUrl.endsWith("/") ? leaderUrl.substring(0, leaderUrl.length() - 1) : leaderUrl;
        if (endpoints.contains(leader) || leader.equals(endpoint)) {
            target = new Target(leader, false);
            return CompletableFuture.completedFuture(null);
        }
        Long since = unreachableSinceNanos.get(leader);
        if (since != null && System.nanoTime() - since < UNREACHABLE_FOR.toNanos()) {
            target = new Target(endpoint, true);
            return CompletableFuture.completedFuture(null);
        }
        // An advertised address this client was not given: see whether it connects from here.
        try {
            URI uri = URI.create(leader);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(leader);
            }
        } catch (IllegalArgumentException e) {
            target = new Target(endpoint, true); // not a URL this client can use
            return CompletableFuture.completedFuture(null);
        }
        return http.get(leader + "/health", PROBE_TIMEOUT).handle((r, e) -> {
            if (e == null) {
                unreachableSinceNanos.remove(leader);
                target = new Target(leader, false);
            } else {
                unreachableSinceNanos.put(leader, System.nanoTime());
                target = new Target(endpoint, true);
            }
            return null;
        });
    }

    private static JsonObject parse(String body) {
        try {
            return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }
}
