package io.raftkit.kv.client;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * An asynchronous client of the KV HTTP API. It finds the leader from {@code /v1/status} and
 * sends there, or, when the leader's advertised URL does not connect from here, to the endpoint
 * that named it, which forwards ({@link LeaderFinder}). A request that fails in a way that may be
 * retried (no leader, leader lost, timeout, connection refused) is sent again, to the newly found
 * leader, until {@code retryWindow} passes.
 *
 * <p>Retries are safe: every write carries a client id and a sequence number (thesis §6.3), and
 * a retry reuses both, so the state machine applies it at most once and answers a duplicate with
 * the original result. Concurrent writes each borrow their own session from a pool, because a
 * session orders one request at a time. A session the cluster no longer keeps (409
 * {@code session-expired}) is dropped; the request is sent again under a new one when no attempt
 * of it may have been applied, and otherwise fails with an unknown outcome.
 */
public final class KvClient implements AutoCloseable {

    private static final class Session {
        final long clientId;
        long nextSequence = 1;
        volatile boolean expired;

        Session(long clientId) {
            this.clientId = clientId;
        }
    }

    private record Attempt(String method, String path, String body, Session session, long sequence) {
    }

    private final List<String> endpoints;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration retryWindow;
    private final ConcurrentLinkedQueue<Session> sessions = new ConcurrentLinkedQueue<>();
    private final SecureRandom random = new SecureRandom();
    private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kv-client");
        t.setDaemon(true);
        return t;
    });
    private final LeaderFinder leaders;

    /**
     * @param endpoints     base URLs of some or all nodes, {@code http://host:port}
     * @param requestTimeout how long one attempt may take
     * @param retryWindow   how long to keep retrying one request
     */
    public KvClient(List<String> endpoints, Duration requestTimeout, Duration retryWindow) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: give at least one node URL");
        }
        this.endpoints = endpoints.stream().map(e -> e.endsWith("/") ? e.substring(0, e.length() - 1) : e).toList();
        for (String e : this.endpoints) {
            URI uri = URI.create(e);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("endpoint '" + e + "' must look like http://host:port");
            }
        }
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(requestTimeout).build();
        this.requestTimeout = requestTimeout;
        this.retryWindow = retryWindow;
        this.leaders = new LeaderFinder(this.endpoints, http);
    }

    public static KvClient create(List<String> endpoints) {
        return new KvClient(endpoints, Duration.ofSeconds(6), Duration.ofSeconds(15));
    }

    public CompletableFuture<KvResponse> put(String key, String value) {
        return write("PUT", keyPath(key), new JsonObject().put("value", value).encode());
    }

    public CompletableFuture<KvResponse> delete(String key) {
        return write("DELETE", keyPath(key), null);
    }

    /** Sets {@code value} if the current value is {@code expected}; empty expected means "must be absent". */
    public CompletableFuture<KvResponse> cas(String key, Optional<String> expected, String value) {
        return write("POST", keyPath(key) + "/cas",
                new JsonObject().put("expected", expected.orElse(null)).put("value", value).encode());
    }

    /** A linearizable read; a missing key is a 404 response, not a failure. */
    public CompletableFuture<KvResponse> get(String key) {
        return send(new Attempt("GET", keyPath(key), null, null, 0), System.nanoTime(), 0, true);
    }

    public CompletableFuture<KvResponse> getStale(String key) {
        return send(new Attempt("GET", keyPath(key) + "?consistency=stale", null, null, 0), System.nanoTime(), 0, true);
    }

    /** The status of the node this client considers the leader (or the first that answers). */
    public CompletableFuture<KvResponse> status() {
        return send(new Attempt("GET", "/v1/status", null, null, 0), System.nanoTime(), 0, true);
    }

    private CompletableFuture<KvResponse> write(String method, String path, String body) {
        Session session = sessions.poll();
        if (session == null) {
            session = newSession();
        }
        Session borrowed = session;
        return send(new Attempt(method, path, body, session, nextSequence(session)), System.nanoTime(), 0, true)
                .whenComplete((r, e) -> {
                    if (!borrowed.expired) {
                        sessions.add(borrowed);
                    }
                });
    }

    private Session newSession() {
        return new Session(1 + (random.nextLong() & Long.MAX_VALUE - 1));
    }

    private static long nextSequence(Session session) {
        synchronized (session) {
            return session.nextSequence++;
        }
    }

    private CompletableFuture<KvResponse> send(Attempt attempt, long startNanos, int tries, boolean notAppliedSoFar) {
        if (leaders.target().isEmpty() && tries == 0) {
            // Find the leader first: any node would forward, but that costs a hop on every request.
            return leaders.find().thenCompose(found -> sendNow(attempt, startNanos, tries, notAppliedSoFar));
        }
        return sendNow(attempt, startNanos, tries, notAppliedSoFar);
    }

    private CompletableFuture<KvResponse> sendNow(Attempt attempt, long startNanos, int tries, boolean notAppliedSoFar) {
        String base = leaders.target().map(LeaderFinder.Target::url).orElse(endpoints.get(tries % endpoints.size()));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + attempt.path()))
                .timeout(requestTimeout)
                .method(attempt.method(), attempt.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(attempt.body()));
        if (attempt.body() != null) {
            request.header("Content-Type", "application/json");
        }
        if (attempt.session() != null) {
            request.header("X-Client-Id", Long.toString(attempt.session().clientId));
            request.header("X-Sequence", Long.toString(attempt.sequence()));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure == null) {
                        KvResponse r = new KvResponse(response.statusCode(), parse(response.body()));
                        if (r.status() == 409 && "session-expired".equals(r.body().getString("error"))) {
                            return renewSession(attempt, startNanos, tries, notAppliedSoFar, r);
                        }
                        if (!retriable(r)) {
                            if (response.headers().firstValue("X-Raftkit-Forwarded-Via").isPresent()) {
                                leaders.forwardedAnswerSeen(); // a follower answered: find the leader for the next request
                            }
                            return CompletableFuture.completedFuture(r);
                        }
                        boolean notApplied = notAppliedSoFar && "not-applied".equals(r.body().getString("outcome"));
                        return retry(attempt, startNanos, tries, notApplied, r.toString(), null);
                    }
                    // A request that was sent may have been applied even though no answer came back;
                    // one whose connection was never made certainly was not.
                    Throwable problem = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    boolean neverSent = false;
                    for (Throwable t = problem; t != null && !neverSent; t = t.getCause() == t ? null : t.getCause()) {
                        neverSent = t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException;
                    }
                    if (neverSent) {
                        leaders.connectFailed(base);
                    }
                    return retry(attempt, startNanos, tries, notAppliedSoFar && neverSent, base + ": " + problem, failure);
                })
                .thenCompose(f -> f);
    }

    /**
     * The cluster no longer keeps this attempt's session, and refused it unapplied. Under a new
     * session the request is new to the cluster: safe only if no earlier attempt may have applied.
     */
    private CompletableFuture<KvResponse> renewSession(Attempt attempt, long startNanos, int tries, boolean notAppliedSoFar,
                                                       KvResponse refusal) {
        attempt.session().expired = true;
        if (!notAppliedSoFar) {
            return CompletableFuture.failedFuture(new KvClientException(attempt.method() + " " + attempt.path()
                    + ": the session expired on the cluster after an attempt whose outcome is unknown: " + refusal, false, null));
        }
        Session fresh = newSession();
        Attempt renewed = new Attempt(attempt.method(), attempt.path(), attempt.body(), fresh, nextSequence(fresh));
        return sendNow(renewed, startNanos, tries + 1, true).whenComplete((r, e) -> {
            if (!fresh.expired) {
                sessions.add(fresh);
            }
        });
    }

    private CompletableFuture<KvResponse> retry(Attempt attempt, long startNanos, int tries, boolean notApplied,
                                                String lastProblem, Throwable cause) {
        leaders.forget();
        if (System.nanoTime() - startNanos > retryWindow.toNanos()) {
            return CompletableFuture.failedFuture(new KvClientException(attempt.method() + " " + attempt.path()
                    + " failed after " + (tries + 1) + " attempts: " + lastProblem, notApplied, cause));
        }
        long backoffMillis = Math.min(20L * (tries + 1), 200);
        Executor later = CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(leaders::find, later)
                .thenCompose(found -> found)
                .thenCompose(ignored -> sendNow(attempt, startNanos, tries + 1, notApplied));
    }

    private static boolean retriable(KvResponse r) {
        return r.status() == 502 || r.status() == 503 || r.status() == 504;
    }

    private static JsonObject parse(String body) {
        try {
            return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            return new JsonObject().put("error", "unreadable-response").put("message", body);
        }
    }

    private static String keyPath(String key) {
        return "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        executor.shutdownNow(); // Java 17's HttpClient has no close: stop the threads it runs on
    }
}
