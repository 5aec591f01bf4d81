package io.raftkit.kv.client;

import io.raftkit.kv.KvValue;
import io.raftkit.kv.wire.WireOp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Requests over the JSON API, on pooled keep-alive connections: for a node reached through another
 * that forwards (the advertised leader does not connect from here), for nodes that do not speak the
 * binary protocol, for {@link KvClient.Protocol#HTTP}, and for the status. Event-loop only.
 */
final class HttpChannel {

    /** What the channel tells the dispatcher. */
    interface Listener {
        /** {@code forwarded}: a follower answered by forwarding to the leader. */
        void answered(Call call, KvResponse response, String url, boolean forwarded);

        void failed(Call call, String url, Throwable cause, boolean neverSent);
    }

    private static final String FORWARDED_VIA = "X-Raftkit-Forwarded-Via";

    private final HttpClientAgent http;
    private final Listener listener;
    private final long requestTimeoutMillis;
    /** Attempts not yet answered nor abandoned, and the HTTP request of each once it has one. */
    private final Map<Integer, Call> active = new HashMap<>();
    private final Map<Integer, HttpClientRequest> requests = new HashMap<>();
    private int nextId = 1;

    HttpChannel(HttpClientAgent http, Listener listener, long requestTimeoutMillis) {
        this.http = http;
        this.listener = listener;
        this.requestTimeoutMillis = requestTimeoutMillis;
    }

    void send(Call call, String baseUrl) {
        int id = nextId++;
        call.channel = this;
        call.attemptId = id;
        URI base = URI.create(baseUrl);
        RequestOptions options = new RequestOptions().setHost(base.getHost()).setPort(base.getPort())
                .setConnectTimeout(requestTimeoutMillis);
        Buffer body = null;
        if (call.status) {
            options.setMethod(HttpMethod.GET).setURI("/v1/status");
        } else {
            String path = "/v1/kv/" + URLEncoder.encode(call.key, StandardCharsets.UTF_8).replace("+", "%20");
            if (call.op == WireOp.PUT) {
                options.setMethod(HttpMethod.PUT).setURI(path);
                body = value(new JsonObject(), "value", call.value).toBuffer();
            } else if (call.op == WireOp.DELETE) {
                options.setMethod(HttpMethod.DELETE).setURI(path);
            } else if (call.op == WireOp.CAS) {
                options.setMethod(HttpMethod.POST).setURI(path + "/cas");
                JsonObject json = call.expected == null ? new JsonObject().putNull("expected") : value(new JsonObject(), "expected", call.expected);
                body = value(json, "value", call.value).toBuffer();
            } else {
                options.setMethod(HttpMethod.GET).setURI(call.op == WireOp.GET_STALE ? path + "?consistency=stale" : path);
            }
            if (call.isWrite() && call.session != null) {
                options.putHeader("X-Client-Id", Long.toString(call.session.clientId)).putHeader("X-Sequence", Long.toString(call.sequence));
            }
            if (body != null) {
                options.putHeader("Content-Type", "application/json");
            }
        }
        Buffer payload = body;
        boolean[] sent = {false};
        active.put(id, call);
        http.request(options).compose(request -> {
            if (!active.containsKey(id)) {
                request.reset(); // abandoned while waiting for a connection
            } else {
                requests.put(id, request);
            }
            sent[0] = true;
            return payload == null ? request.send() : request.send(payload);
        }).compose(response -> response.body().map(bytes -> {
            boolean forwarded = response.getHeader(FORWARDED_VIA) != null;
            return Map.entry(new KvResponse(response.statusCode(), parse(bytes)), forwarded);
        })).onComplete(done -> {
            requests.remove(id);
            if (active.remove(id) == null) {
                return; // abandoned after its deadline: the dispatcher moved on
            }
            if (done.succeeded()) {
                listener.answered(call, done.result().getKey(), baseUrl, done.result().getValue());
            } else {
                listener.failed(call, baseUrl, done.cause(), !sent[0] || isConnectFailure(done.cause()));
            }
        });
    }

    /** Stops waiting for the attempt (it timed out) and resets its request. */
    void abandon(Call call) {
        active.remove(call.attemptId);
        HttpClientRequest request = requests.remove(call.attemptId);
        if (request != null) {
            request.reset();
        }
    }

    /** A value as text when it is UTF-8, else in Base64 (the JSON API takes either). */
    private static JsonObject value(JsonObject json, String field, KvValue value) {
        Optional<String> text = value.utf8();
        return text.isPresent() ? json.put(field, text.get()) : json.put(field + "Base64", value.base64());
    }

    private static boolean isConnectFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static JsonObject parse(Buffer body) {
        try {
            return body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body);
        } catch (RuntimeException e) {
            return new JsonObject().put("error", "unreadable-response").put("message", body.toString());
        }
    }
}
