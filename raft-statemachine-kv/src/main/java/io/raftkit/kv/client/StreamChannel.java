package io.raftkit.kv.client;

import io.raftkit.kv.wire.FrameSplitter;
import io.raftkit.kv.wire.MalformedFrameException;
import io.raftkit.kv.wire.WireCodec;
import io.raftkit.kv.wire.WireRequest;
import io.raftkit.kv.wire.WireResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * One connection to one node in the binary client protocol ({@link WireCodec}): any number of
 * requests at once, each answer matched to its request by id. Requests are encoded as they come and
 * written together when the dispatcher flushes, once per turn of the event loop. Event-loop only.
 */
final class StreamChannel {

    /** What the channel tells the dispatcher. */
    interface Listener {
        void answered(Call call, KvResponse response, String url);

        /** {@code neverSent}: the request certainly did not reach the node (it cannot have been applied). */
        void failed(Call call, String url, Throwable cause, boolean neverSent);

        /** The node answered the upgrade with {@code status}: it does not speak this protocol. */
        void refused(String url, int status);

        /** The connection was made but the upgrade got no answer in time. */
        void upgradeTimedOut(String url);
    }

    private enum State { NEW, CONNECTING, OPEN, CLOSED }

    /** Answers larger than this are a broken stream, not an answer (a value is at most what the server allows). */
    private static final int MAX_ANSWER_BYTES = 1 << 30;
    /** A node answers the switch at once (no Raft work): a silence this long means it will not. */
    private static final long UPGRADE_TIMEOUT_MILLIS = 2_000;

    private final String url;
    private final URI uri;
    private final HttpClientAgent http;
    private final Listener listener;
    private final long connectTimeoutMillis;
    private final Map<Integer, Call> inFlight = new HashMap<>();
    private final FrameSplitter splitter = new FrameSplitter(MAX_ANSWER_BYTES);
    private State state = State.NEW;
    private NetSocket socket;
    private Buffer out = Buffer.buffer(512);
    private int nextId = 1;
    /** Requests with an id below this were handed to the socket. */
    private int writtenBelow = 1;
    private String servedBy;
    private long lastReceiveNanos;
    private boolean connected;

    StreamChannel(String url, HttpClientAgent http, Listener listener, long connectTimeoutMillis) {
        this.url = url;
        this.uri = URI.create(url);
        this.http = http;
        this.listener = listener;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    String url() {
        return url;
    }

    boolean usable() {
        return state != State.CLOSED;
    }

    /** When an answer last arrived ({@link System#nanoTime()}); 0 before the first. */
    long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    void send(Call call) {
        if (state == State.NEW) {
            connect();
        }
        int id = nextId++;
        call.channel = this;
        call.attemptId = id;
        inFlight.put(id, call);
        WireCodec.write(new WireRequest(call.op, id, call.isWrite() && call.session != null ? call.session.clientId : 0,
                call.isWrite() && call.session != null ? call.sequence : 0, call.key, call.expected, call.value), out);
    }

    /** Writes what was encoded since the last flush, once the connection is open. */
    void flush() {
        if (state == State.OPEN && out.length() > 0) {
            Buffer batch = out;
            out = Buffer.buffer(512);
            writtenBelow = nextId;
            socket.write(batch);
        }
    }

    /** Stops waiting for the attempt's answer (it timed out); a late answer is ignored. */
    void abandon(Call call) {
        inFlight.remove(call.attemptId);
    }

    void close() {
        if (socket != null) {
            socket.close();
        }
        closed(new IOException("the connection to " + url + " was closed by the client"));
    }

    private void connect() {
        state = State.CONNECTING;
        RequestOptions upgrade = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost()).setPort(uri.getPort())
                .setURI(WireCodec.PATH).putHeader(HttpHeaders.CONNECTION, "Upgrade").putHeader(HttpHeaders.UPGRADE, WireCodec.PROTOCOL)
                .setConnectTimeout(connectTimeoutMillis).setIdleTimeout(Math.min(connectTimeoutMillis, UPGRADE_TIMEOUT_MILLIS));
        http.request(upgrade).compose(request -> {
            connected = true;
            // A failure reaches the future below; without a handler Vert.x would also log it as an error.
            request.exceptionHandler(e -> { });
            return request.connect();
        }).onComplete(done -> {
            if (state == State.CLOSED) {
                if (done.succeeded() && done.result().statusCode() == 101) {
                    done.result().netSocket().close();
                }
                return;
            }
            if (done.failed()) {
                if (connected && isTimeout(done.cause())) {
                    listener.upgradeTimedOut(url);
                }
                closed(done.cause());
                return;
            }
            HttpClientResponse response = done.result();
            if (response.statusCode() != 101) {
                int status = response.statusCode();
                state = State.CLOSED;
                listener.refused(url, status);
                closed(new IOException(url + " answered the upgrade to " + WireCodec.PROTOCOL + " with " + status));
                return;
            }
            opened(response);
        });
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private void opened(HttpClientResponse response) {
        socket = response.netSocket();
        servedBy = response.getHeader(WireCodec.SERVED_BY);
        state = State.OPEN;
        socket.handler(this::onData);
        socket.closeHandler(v -> closed(new IOException("the connection to " + url + " closed")));
        socket.exceptionHandler(e -> socket.close());
        flush();
    }

    private void onData(Buffer data) {
        lastReceiveNanos = System.nanoTime();
        splitter.feed(data, new FrameSplitter.Handler() {
            @Override
            public void frame(Buffer buffer, int start, int end) {
                WireResponse answer;
                try {
                    answer = WireCodec.readResponse(buffer, start, end);
                } catch (MalformedFrameException e) {
                    splitter.stop();
                    socket.close(); // a broken stream: what is in flight is retried elsewhere
                    return;
                }
                Call call = inFlight.remove(answer.id());
                if (call != null) {
                    listener.answered(call, KvResponse.of(call.op, call.key, answer, servedBy), url);
                }
            }

            @Override
            public void tooLarge(long length, int id) {
                splitter.stop();
                socket.close();
            }
        });
    }

    /**
     * The connection is gone (or never came): every request on it fails. Those never handed to
     * the socket cannot have been applied; the others may have been.
     */
    private void closed(Throwable cause) {
        state = State.CLOSED;
        splitter.stop();
        if (inFlight.isEmpty()) {
            return;
        }
        List<Call> lost = new ArrayList<>(inFlight.values());
        inFlight.clear();
        for (Call call : lost) {
            boolean neverSent = socket == null || call.attemptId >= writtenBelow;
            listener.failed(call, url, cause, neverSent);
        }
    }
}
