package io.raftkit.verifier.process;

import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A node process as a {@link io.raftkit.verifier.spi.Client} reaches it: {@link #propose} and
 * {@link #read} over its {@link NodeEndpoint}. A command whose request never connected, or that the
 * server said was certainly not applied, is a {@link Completion.Fail}; one sent and then unanswered
 * (a killed or paused node, a lost answer) is {@link Completion.Unknown}. A read that fails in any
 * way is a {@code Fail}.
 */
final class ProcessNode implements Node {

    private final String id;
    private final String endpoint;
    private final HttpClient http;
    private final Duration wait;

    /** @param wait how long to wait for an answer: longer than the server's own request timeout, so a live server answers first */
    ProcessNode(String id, int clientPort, HttpClient http, Duration wait) {
        this.id = id;
        this.endpoint = "http://127.0.0.1:" + clientPort;
        this.http = http;
        this.wait = wait;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<String> endpoint() {
        return Optional.of(endpoint);
    }

    @Override
    public Completion propose(byte[] command) {
        return call("/v1/verifier/propose", command, true);
    }

    @Override
    public Completion read(byte[] query) {
        return call("/v1/verifier/read", query, false);
    }

    private Completion call(String path, byte[] body, boolean write) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + path)).timeout(wait)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body == null ? new byte[0] : body)).build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200) {
                return Completion.ok(r.headers().firstValue("X-Null").isPresent() ? null : r.body());
            }
            String why = id + ": HTTP " + r.statusCode() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            boolean notApplied = r.headers().firstValue("X-Outcome").map("not-applied"::equals).orElse(false);
            return !write || notApplied ? Completion.fail(why) : Completion.unknown(why);
        } catch (ConnectException e) {
            return Completion.fail(id + ": connection refused, nothing sent"); // a killed node's port
        } catch (HttpTimeoutException e) {
            return write ? Completion.unknown(id + ": no answer in " + wait.toMillis() + " ms") : Completion.fail(id + ": no answer");
        } catch (IOException e) {
            return write ? Completion.unknown(id + ": " + e) : Completion.fail(id + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return write ? Completion.unknown("interrupted") : Completion.fail("interrupted");
        }
    }

    /** What the node says of itself: role, term and the leader it knows, or empty when it does not answer. */
    Optional<String[]> status(Duration timeout) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/verifier/status")).timeout(timeout).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body().strip().split(" ")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
