package io.raftkit.verifier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The verifier's view of the KV store's HTTP API, mapping every response onto ok / fail / info.
 * The mapping is the heart of a sound history: only what certainly did not happen may be a
 * {@code fail}. A write whose response was lost, timed out, or came back {@code "outcome":
 * "unknown"} is {@code info}; a read that failed in any way is a {@code fail} (reads change nothing).
 */
public final class KvHttpClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public KvHttpClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Linearizable read; with {@code stale} the node's local state (used to show the checker catches stale reads). */
    public KvResult read(String endpoint, String key, boolean stale) {
        String url = endpoint + "/v1/kv/" + encode(key) + (stale ? "?consistency=stale" : "");
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode body = JSON.readTree(r.body());
                return KvResult.ok(body.path("value").isNull() || body.path("value").isMissingNode() ? null : body.path("value").asText(),
                        body.path("index").asLong(KvResult.NO_INDEX));
            }
            if (r.statusCode() == 404) {
                // the key is absent: a read of nil
                return KvResult.ok(null, JSON.readTree(r.body()).path("index").asLong(KvResult.NO_INDEX));
            }
            return KvResult.fail(r.statusCode(), "HTTP " + r.statusCode() + " " + brief(r.body()));
        } catch (IOException e) {
            return KvResult.fail(KvResult.NO_ANSWER, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KvResult.fail(KvResult.NO_ANSWER, "interrupted");
        }
    }

    public KvResult write(String endpoint, String key, String value) {
        return write(endpoint, key, value, null);
    }

    /** A write in an exactly-once session, or in none when {@code session} is null. */
    public KvResult write(String endpoint, String key, String value, Session session) {
        ObjectNode body = JSON.createObjectNode().put("value", value);
        return mutate(withSession(HttpRequest.newBuilder(URI.create(endpoint + "/v1/kv/" + encode(key))), session)
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())), false);
    }

    /** Compare-and-set; the result's value is "true" when it succeeded. */
    public KvResult cas(String endpoint, String key, String expected, String value) {
        return cas(endpoint, key, expected, value, null);
    }

    /**
     * Compare-and-set in an exactly-once session, or in none when {@code session} is null;
     * {@code expected} null means "the key must be absent".
     */
    public KvResult cas(String endpoint, String key, String expected, String value, Session session) {
        ObjectNode body = JSON.createObjectNode();
        if (expected == null) {
            body.putNull("expected");
        } else {
            body.put("expected", expected);
        }
        body.put("value", value);
        return mutate(withSession(HttpRequest.newBuilder(URI.create(endpoint + "/v1/kv/" + encode(key) + "/cas")), session)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), true);
    }

    private static HttpRequest.Builder withSession(HttpRequest.Builder request, Session session) {
        return session == null ? request
                : request.header("X-Client-Id", Long.toString(session.clientId())).header("X-Sequence", Long.toString(session.sequence()));
    }

    private KvResult mutate(HttpRequest.Builder request, boolean cas) {
        try {
            HttpResponse<String> r = http.send(request.timeout(timeout).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() == 200) {
                long index = body.path("index").asLong(KvResult.NO_INDEX);
                if (cas && !body.path("succeeded").asBoolean(false)) {
                    return new KvResult(Outcome.FAIL, null, "cas: expected value did not match", 200, index);
                }
                return KvResult.ok(cas ? "true" : null, index);
            }
            String error = "HTTP " + r.statusCode() + " " + body.path("error").asText("") + ": " + body.path("message").asText(brief(r.body()));
            // Only the server's explicit word makes a write certainly-not-applied.
            return "not-applied".equals(body.path("outcome").asText()) ? KvResult.fail(r.statusCode(), error) : KvResult.info(r.statusCode(), error);
        } catch (HttpTimeoutException e) {
            return KvResult.info(KvResult.NO_ANSWER, "timeout: " + e.getMessage());
        } catch (java.net.ConnectException e) {
            return KvResult.fail(KvResult.NO_ANSWER, "connection refused: the request was never sent"); // nothing reached the server
        } catch (IOException e) {
            return KvResult.info(KvResult.NO_ANSWER, e.getClass().getSimpleName() + ": " + e.getMessage()); // sent, answer lost
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KvResult.info(KvResult.NO_ANSWER, "interrupted");
        }
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8);
    }

    private static String brief(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
