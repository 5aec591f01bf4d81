package io.raftkit.kv.client;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's core, confined to one event loop: where each request goes (the leader, found once
 * and then followed through the hints of refusals), on which connection, with which session, and
 * what happens when an attempt fails. Callers on any thread only queue their calls; the loop takes
 * every queued call at once and writes each connection's share in one write.
 *
 * <p>Bounded: at most {@code maxInFlight} requests are out at once; more wait here, up to
 * {@code maxQueued}, and beyond that a call fails at once, not applied. Attempt deadlines are checked
 * by one periodic sweep, not a timer per request.
 */
final class Dispatcher implements StreamChannel.Listener, HttpChannel.Listener {

    private final Context context;
    private final KvClient.Settings settings;
    private final HttpClientAgent http;
    private final HttpClientAgent upgrades;
    private final HttpChannel httpChannel;
    private final LeaderFinder leaders;
    private final List<String> endpoints;
    private final long requestTimeoutNanos;
    private final long retryWindowNanos;
    private final Map<String, StreamChannel> streams = new HashMap<>();
    /**
     * Nodes that get the JSON API, with until when ({@link System#nanoTime()}): for good those that
     * answered the upgrade with 404, 405 or 426 (an older node, or a proxy that passes no upgrades);
     * for {@link #NO_STREAM_RETRY} those whose upgrade got no answer in time.
     */
    private final Map<String, Long> noStream = new HashMap<>();
    static final Duration NO_STREAM_RETRY = Duration.ofSeconds(30);
    private final ArrayDeque<Call.Session> sessions = new ArrayDeque<>();
    private final SplittableRandom random;
    private final ConcurrentLinkedQueue<Call> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Call> inFlight = new HashSet<>();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private final List<Call> awaitingTarget = new ArrayList<>();
    private final Set<StreamChannel> dirty = new LinkedHashSet<>();
    private CompletableFuture<Void> finding;
    private boolean flushScheduled;
    private long sweepTimer = -1;
    private volatile boolean closed;

    Dispatcher(Vertx vertx, KvClient.Settings settings, List<String> endpoints, HttpClientAgent http, HttpClientAgent upgrades) {
        this.context = vertx.getOrCreateContext();
        this.settings = settings;
        this.endpoints = endpoints;
        this.http = http;
        this.upgrades = upgrades;
        this.requestTimeoutNanos = settings.requestTimeout().toNanos();
        this.retryWindowNanos = settings.retryWindow().toNanos();
        this.httpChannel = new HttpChannel(http, this, settings.requestTimeout().toMillis());
        this.leaders = new LeaderFinder(endpoints, this::get);
        this.random = new SplittableRandom(new SecureRandom().nextLong());
        long sweepMillis = Math.max(10, Math.min(100, settings.requestTimeout().toMillis() / 10));
        context.runOnContext(v -> sweepTimer = vertx.setPeriodic(sweepMillis, id -> sweep()));
    }

    // ------------------------------------------------------------ any thread

    CompletableFuture<KvResponse> submit(Call call) {
        if (closed) {
            call.future.completeExceptionally(new KvClientException("the client is closed; " + call.describe()
                    + " was not sent", Outcome.NOT_APPLIED, 0, null, null));
            return call.future;
        }
        if (accepted.incrementAndGet() > settings.maxInFlight() + settings.maxQueued()) {
            accepted.decrementAndGet();
            call.future.completeExceptionally(new KvClientException(call.describe() + " was not sent: " + settings.maxInFlight()
                    + " requests are in flight and " + settings.maxQueued() + " queued in this client (maxInFlight, maxQueued)",
                    Outcome.NOT_APPLIED, 0, "client-overloaded", null));
            return call.future;
        }
        submitted.add(call);
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
        return call.future;
    }

    // ------------------------------------------------------------ the loop

    private void drain() {
        drainScheduled.set(false);
        Call call;
        while ((call = submitted.poll()) != null) {
            if (closed) {
                end(call, null, closedException(call));
            } else if (inFlight.size() >= settings.maxInFlight()) {
                waiting.add(call);
            } else {
                inFlight.add(call);
                dispatch(call);
            }
        }
    }

    private void dispatch(Call call) {
        if (closed) {
            end(call, null, closedException(call));
            return;
        }
        if (call.isWrite() && call.session == null) {
            Call.Session session = sessions.poll();
            call.session = session != null ? session : new Call.Session(1 + (random.nextLong() & Long.MAX_VALUE - 1));
            call.sequence = call.session.nextSequence++;
        }
        Optional<LeaderFinder.Target> target = leaders.target();
        if (target.isEmpty() && !call.searched) {
            call.searched = true;
            awaitTarget(call);
            return;
        }
        // No leader known after asking: send to an endpoint anyway; it forwards or says why not.
        String url = target.map(LeaderFinder.Target::url).orElse(endpoints.get(call.tries % endpoints.size()));
        boolean relay = target.map(LeaderFinder.Target::relay).orElse(true);
        call.tries++;
        call.target = url;
        call.sentNanos = System.nanoTime();
        call.attemptDeadlineNanos = call.sentNanos + requestTimeoutNanos;
        if (call.status || relay || settings.protocol() == KvClient.Protocol.HTTP || noStream(url)) {
            httpChannel.send(call, url);
            return;
        }
        StreamChannel channel = streams.get(url);
        if (channel == null || !channel.usable()) {
            channel = new StreamChannel(url, upgrades, this, settings.requestTimeout().toMillis());
            streams.put(url, channel);
        }
        channel.send(call);
        markDirty(channel);
    }

    /** Waits for the leader search in progress, or starts one; dispatches the call when it ends. */
    private void awaitTarget(Call call) {
        awaitingTarget.add(call);
        refresh(null, null);
    }

    private void refresh(String answeredBy, String leaderHint) {
        if (finding != null) {
            return;
        }
        CompletableFuture<Void> search = leaderHint != null ? leaders.hint(answeredBy, leaderHint) : leaders.find();
        finding = search;
        search.whenComplete((v, e) -> context.runOnContext(x -> {
            finding = null;
            List<Call> ready = new ArrayList<>(awaitingTarget);
            awaitingTarget.clear();
            for (Call c : ready) {
                if (inFlight.contains(c)) {
                    c.searched = true;
                    dispatch(c);
                }
            }
        }));
    }

    private void markDirty(StreamChannel channel) {
        dirty.add(channel);
        if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(v -> flush());
        }
    }

    /** One socket write per connection for everything queued this turn. */
    private void flush() {
        flushScheduled = false;
        for (StreamChannel c : dirty) {
            c.flush();
        }
        dirty.clear();
    }

    @Override
    public void answered(Call call, KvResponse response, String url) {
        answered(call, response, url, false);
    }

    @Override
    public void answered(Call call, KvResponse response, String url, boolean forwarded) {
        if (!inFlight.contains(call)) {
            return;
        }
        call.attemptDeadlineNanos = 0;
        int status = response.status();
        if (status == 409 && "session-expired".equals(response.body().getString("error"))) {
            renewSession(call, response);
            return;
        }
        if (status != 502 && status != 503 && status != 504) {
            if (forwarded) {
                leaders.forwardedAnswerSeen(); // a follower answered: find the leader for the next request
            }
            end(call, response, null);
            return;
        }
        boolean notApplied = call.notAppliedSoFar && "not-applied".equals(response.body().getString("outcome"));
        String leaderHint = forwarded ? null : response.body().getString("leaderHttp");
        leaders.forgetIf(url);
        retry(call, notApplied, response.toString(), null, response, leaderHint == null ? null : url, leaderHint);
    }

    @Override
    public void failed(Call call, String url, Throwable cause, boolean neverSent) {
        if (!inFlight.contains(call)) {
            return;
        }
        call.attemptDeadlineNanos = 0;
        if (neverSent && noStream(url)) {
            dispatch(call); // the node does not speak the binary protocol: the same node, over the JSON API
            return;
        }
        if (neverSent) {
            leaders.connectFailed(url);
        } else {
            leaders.forgetIf(url);
        }
        // A request that was sent may have been applied even though no answer came back; one whose
        // connection was never made certainly was not.
        retry(call, call.notAppliedSoFar && neverSent, url + ": " + cause, cause, null, null, null);
    }

    @Override
    public void refused(String url, int status) {
        if (status == 404 || status == 405 || status == 426) {
            noStream.put(url, Long.MAX_VALUE); // an older node, or a proxy that passes no upgrades: the JSON API it is
        }
    }

    @Override
    public void upgradeTimedOut(String url) {
        // Connected, but the switch was not answered: something between passes no upgrades.
        noStream.put(url, System.nanoTime() + NO_STREAM_RETRY.toNanos());
    }

    private boolean noStream(String url) {
        Long until = noStream.get(url);
        if (until == null) {
            return false;
        }
        if (until != Long.MAX_VALUE && System.nanoTime() - until > 0) {
            noStream.remove(url);
            return false;
        }
        return true;
    }

    private void retry(Call call, boolean notApplied, String problem, Throwable cause, KvResponse last,
                       String answeredBy, String leaderHint) {
        call.notAppliedSoFar = notApplied;
        if (System.nanoTime() - call.startNanos > retryWindowNanos || closed) {
            Outcome outcome = notApplied ? Outcome.NOT_APPLIED : Outcome.UNKNOWN;
            end(call, null, new KvClientException(call.describe() + " failed after " + call.tries + " attempts: " + problem,
                    outcome, last == null ? 0 : last.status(), last == null ? null : last.body().getString("error"), cause));
            return;
        }
        if (leaderHint != null) {
            // The refusal named the leader: go there at once, no search and no backoff.
            call.searched = true;
            awaitingTarget.add(call);
            refresh(answeredBy, leaderHint);
            return;
        }
        long backoffMillis = Math.min(20L * call.tries, 200);
        context.owner().setTimer(backoffMillis, id -> {
            if (!inFlight.contains(call)) {
                return;
            }
            if (leaders.target().isPresent()) {
                dispatch(call);
            } else {
                call.searched = true;
                awaitTarget(call);
            }
        });
    }

    /**
     * The cluster no longer keeps this attempt's session, and refused it unapplied. Under a new
     * session the request is new to the cluster: safe only if no earlier attempt may have applied.
     */
    private void renewSession(Call call, KvResponse refusal) {
        call.session.expired = true;
        if (!call.notAppliedSoFar) {
            end(call, null, new KvClientException(call.describe() + ": the session expired on the cluster after an attempt"
                    + " whose outcome is unknown: " + refusal, Outcome.UNKNOWN, refusal.status(), "session-expired", null));
            return;
        }
        call.session = null; // dispatch borrows a new one
        dispatch(call);
    }

    private void end(Call call, KvResponse response, Throwable failure) {
        if (inFlight.remove(call)) {
            Call.Session session = call.session;
            if (session != null && !session.expired) {
                sessions.add(session);
            }
            Call next = waiting.poll();
            if (next != null) {
                inFlight.add(next);
                dispatch(next);
            }
        }
        accepted.decrementAndGet();
        if (failure != null) {
            call.future.completeExceptionally(failure);
        } else {
            call.future.complete(response);
        }
    }

    /** Attempts past their deadline fail as timeouts (their outcome unknown) and are retried. */
    private void sweep() {
        long now = System.nanoTime();
        List<Call> late = null;
        for (Call c : inFlight) {
            if (c.attemptDeadlineNanos != 0 && now - c.attemptDeadlineNanos > 0) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(c);
            }
        }
        if (late == null) {
            return;
        }
        for (Call c : late) {
            if (c.channel instanceof StreamChannel stream) {
                stream.abandon(c);
                if (stream.lastReceiveNanos() - c.sentNanos < 0) {
                    stream.close(); // nothing arrived since this was sent: the node or the path is gone
                }
            } else if (c.channel instanceof HttpChannel h) {
                h.abandon(c);
            }
            if (inFlight.contains(c) && c.attemptDeadlineNanos != 0) {
                failed(c, c.target, new TimeoutException("no answer within " + settings.requestTimeout().toMillis()
                        + " ms (requestTimeout)"), false);
            }
        }
    }

    /** A GET for the leader search, on the pooled HTTP connections. */
    private CompletableFuture<LeaderFinder.Http.Answer> get(String url, Duration timeout) {
        CompletableFuture<LeaderFinder.Http.Answer> result = new CompletableFuture<>();
        URI uri = URI.create(url);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost())
                .setPort(uri.getPort() < 0 ? 80 : uri.getPort()).setURI(uri.getRawPath())
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis());
        http.request(options).compose(r -> r.send()).compose(r -> r.body().map(b -> new LeaderFinder.Http.Answer(r.statusCode(), b.toString())))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        result.complete(done.result());
                    } else {
                        result.completeExceptionally(done.cause());
                    }
                });
        return result;
    }

    private KvClientException closedException(Call call) {
        return new KvClientException("the client was closed before " + call.describe() + " was answered",
                call.isWrite() && !call.notAppliedSoFar ? Outcome.UNKNOWN : call.tries == 0 ? Outcome.NOT_APPLIED : Outcome.UNKNOWN,
                0, null, null);
    }

    /** Fails what is pending and closes the connections; the loop's owner closes the rest. */
    CompletableFuture<Void> close() {
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            if (sweepTimer >= 0) {
                context.owner().cancelTimer(sweepTimer);
            }
            for (Call c : new ArrayList<>(inFlight)) {
                end(c, null, closedException(c));
            }
            for (Call c : new ArrayList<>(waiting)) {
                end(c, null, closedException(c));
            }
            waiting.clear();
            drain();
            streams.values().forEach(StreamChannel::close);
            streams.clear();
            done.complete(null);
        });
        return done;
    }
}
