package io.raftkit.kv.members;

import io.raftkit.api.NodeId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@code raft-kv server --join URL[,URL...]}: asks members for the configuration, and asks
 * the leader (through any member, which forwards) to add this node as a learner until it answers.
 */
public final class Joiner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Joiner.class);
    /** Between attempts: a change in flight takes a few round trips, an election about a second. */
    static final long RETRY_MILLIS = 1_000;

    /**
     * Made on first use: every node holds a Joiner, few ever join, and building a JDK client loads the
     * default TLS context (the trust store's certificates), about 0.1 s of a start-up.
     */
    private HttpClient http;
    private volatile boolean closed;
    private Thread thread;

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        }
        return http;
    }

    /** The members document and the URL that answered it. */
    public record Answer(String url, JsonObject members) {
    }

    /**
     * {@code GET /v1/members} at each of {@code joinUrls} in turn until one answers, retried until
     * {@code patience} has passed (the members may be starting too, or some of them down).
     *
     * @throws IOException naming each URL's last failure
     */
    public Answer fetchMembers(List<String> joinUrls, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Map<String, String> last = new LinkedHashMap<>();
        do {
            for (String url : joinUrls) {
                try {
                    HttpResponse<String> r = http().send(HttpRequest.newBuilder(URI.create(url + "/v1/members"))
                            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return new Answer(url, new JsonObject(r.body()));
                    }
                    last.put(url, "HTTP " + r.statusCode() + ": " + r.body());
                } catch (IOException | DecodeException e) {
                    last.put(url, e.toString());
                }
            }
            Thread.sleep(RETRY_MILLIS);
        } while (System.nanoTime() - deadline < 0);
        throw new IOException("cannot learn the members from " + joinUrls + " within " + patience.toSeconds()
                + " s: " + last);
    }

    /**
     * In the background: {@code POST /v1/members} with this node's addresses to each URL in turn
     * until one answers 200, then {@code onAdded}. A refusal that retrying cannot fix (another member
     * at this id, a bad request) is logged and ends the attempts.
     */
    public synchronized void requestAdd(List<String> urls, Member self, Runnable onAdded) {
        Set<String> targets = new LinkedHashSet<>(urls);
        String body = new JsonObject().put("id", self.id().value()).put("raft", self.raft()).put("http", self.http()).encode();
        thread = new Thread(() -> addLoop(new ArrayList<>(targets), self.id(), body, onAdded), "raft-kv-join-" + self.id());
        thread.setDaemon(true);
        thread.start();
    }

    private void addLoop(List<String> urls, NodeId self, String body, Runnable onAdded) {
        for (int attempt = 0; !closed; attempt++) {
            String url = urls.get(attempt % urls.size());
            try {
                HttpResponse<String> r = http().send(HttpRequest.newBuilder(URI.create(url + "/v1/members"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    LOG.info("node {} was added as a learner (asked {}); it catches up from the leader", self, url);
                    onAdded.run();
                    return;
                }
                String error = errorCode(r.body());
                if (r.statusCode() == 400 || error.equals("already-member")) {
                    LOG.error("node {} cannot join through {}: HTTP {} {}; not asking again", self, url, r.statusCode(), r.body());
                    return;
                }
                LOG.info("asking {} to add node {}: HTTP {} {}; retrying", url, self, r.statusCode(), r.body());
            } catch (IOException e) {
                LOG.info("asking {} to add node {} failed: {}; retrying", url, self, e.toString());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String errorCode(String body) {
        try {
            return new JsonObject(body).getString("error", "");
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
