package io.raftkit.verifier.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * List-append transactions over the KV store's {@code POST /v1/txn}: micro-ops {@code ["append", k,
 * v]} become append operations (the value as its decimal text), {@code ["r", k, nil]} gets, and an
 * ok answer's lists (JSON arrays of strings, see the KV README) come back as lists of longs. The
 * outcome follows {@link KvHttpClient}'s rule: only the server's explicit {@code not-applied}, or a
 * connection never made, is a fail; anything else that is not a 200 is info.
 */
public final class KvTxnClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public KvTxnClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public TxnResult txn(String endpoint, List<List<Object>> mops) {
        ArrayNode ops = JSON.createArrayNode();
        for (List<Object> mop : mops) {
            ObjectNode op = ops.addObject().put("key", (String) mop.get(1));
            if (mop.get(0).equals("append")) {
                op.put("op", "append").put("value", mop.get(2).toString());
            } else {
                op.put("op", "get");
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("ops", ops);
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/v1/txn")).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() == 200 && answer.path("succeeded").asBoolean(false)) {
                return completed(mops, answer.path("results"));
            }
            String error = "HTTP " + r.statusCode() + " " + answer.path("error").asText("") + ": " + answer.path("message").asText(r.body());
            return "not-applied".equals(answer.path("outcome").asText())
                    ? new TxnResult(Outcome.FAIL, mops, error, r.statusCode()) : new TxnResult(Outcome.INFO, mops, error, r.statusCode());
        } catch (HttpTimeoutException e) {
            return new TxnResult(Outcome.INFO, mops, "timeout: " + e.getMessage(), KvResult.NO_ANSWER);
        } catch (ConnectException e) {
            return new TxnResult(Outcome.FAIL, mops, "connection refused: the request was never sent", KvResult.NO_ANSWER);
        } catch (IOException e) {
            return new TxnResult(Outcome.INFO, mops, e.getClass().getSimpleName() + ": " + e.getMessage(), KvResult.NO_ANSWER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TxnResult(Outcome.INFO, mops, "interrupted", KvResult.NO_ANSWER);
        }
    }

    /**
     * The planted stale read: each read of a read-only transaction as a GET of the node's local
     * state ({@code ?consistency=stale}). Deliberately unsafe; reads change nothing, so any failure
     * is a fail.
     */
    public TxnResult staleReads(String endpoint, List<List<Object>> mops) {
        List<List<Object>> done = new ArrayList<>();
        for (List<Object> mop : mops) {
            String key = (String) mop.get(1);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/kv/"
                        + URLEncoder.encode(key, StandardCharsets.UTF_8) + "?consistency=stale")).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 404) {
                    done.add(Arrays.asList("r", key, List.of()));
                } else if (r.statusCode() == 200) {
                    done.add(Arrays.asList("r", key, list(JSON.readTree(r.body()).path("value").asText())));
                } else {
                    return new TxnResult(Outcome.FAIL, mops, "HTTP " + r.statusCode(), r.statusCode());
                }
            } catch (IOException | IllegalArgumentException e) {
                return new TxnResult(Outcome.FAIL, mops, e.getClass().getSimpleName() + ": " + e.getMessage(), KvResult.NO_ANSWER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TxnResult(Outcome.FAIL, mops, "interrupted", KvResult.NO_ANSWER);
            }
        }
        return new TxnResult(Outcome.OK, done, null, 200);
    }

    private static TxnResult completed(List<List<Object>> mops, JsonNode results) {
        if (!results.isArray() || results.size() != mops.size()) {
            return new TxnResult(Outcome.INFO, mops, "the answer has " + results.size() + " results for " + mops.size() + " micro-ops", 200);
        }
        List<List<Object>> done = new ArrayList<>(mops.size());
        for (int i = 0; i < mops.size(); i++) {
            List<Object> mop = mops.get(i);
            if (mop.get(0).equals("append")) {
                done.add(mop);
                continue;
            }
            JsonNode result = results.get(i);
            try {
                done.add(Arrays.asList("r", mop.get(1), result.path("found").asBoolean(false) ? list(result.path("value").asText()) : List.of()));
            } catch (IllegalArgumentException e) {
                // The store answered, but not with a list this workload wrote: no reading of it is sound.
                return new TxnResult(Outcome.INFO, mops, "read of " + mop.get(1) + ": " + e.getMessage(), 200);
            }
        }
        return new TxnResult(Outcome.OK, done, null, 200);
    }

    /** A stored list (a JSON array of decimal strings) as longs. */
    static List<Long> list(String stored) {
        JsonNode node;
        try {
            node = JSON.readTree(stored);
        } catch (IOException e) {
            throw new IllegalArgumentException("value is not a JSON array: " + stored);
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("value is not a JSON array: " + stored);
        }
        List<Long> out = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            try {
                out.add(Long.parseLong(element.asText()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("element '" + element.asText() + "' is not a number");
            }
        }
        return out;
    }
}
