package io.raftkit.verifier.backend;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks nodes' {@code /v1/status} who leads; shared by every backend. */
final class LeaderProbe {

    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** The leader named by the first of {@code endpoints} that answers with one. */
    Optional<String> leader(Iterable<String> endpoints) {
        for (String endpoint : endpoints) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/status"))
                        .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = LEADER.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) {
                    return Optional.of(m.group(1));
                }
            } catch (IOException e) {
                // down or cut off: ask the next node
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
