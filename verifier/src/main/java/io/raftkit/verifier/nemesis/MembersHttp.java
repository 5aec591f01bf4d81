package io.raftkit.verifier.nemesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link Members} over HTTP, with a short timeout per request: the nemesis retries, it does not wait. */
final class MembersHttp implements Members {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Duration timeout;

    /** @param timeout how long one request may take; a change is committed within a few heartbeats when it can be */
    MembersHttp(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public Optional<View> view(String endpoint) {
        Reply r = send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/members")).GET());
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(JSON.readTree(r.message())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not the documented shape: as good as no answer, and the nemesis retries
        }
    }

    /** The documented body: {@code {"leader": id|null, "joint": bool, "members": [{"id", "role", "outgoing"?}]}}. */
    static View parse(JsonNode body) {
        List<Member> members = new ArrayList<>();
        for (JsonNode m : body.path("members")) {
            String id = m.path("id").asText(null);
            if (id == null) {
                throw new IllegalArgumentException("a member without an id: " + m);
            }
            members.add(new Member(id, "voter".equals(m.path("role").asText()), m.path("outgoing").asBoolean(false)));
        }
        JsonNode leader = body.path("leader");
        return new View(leader.isTextual() ? Optional.of(leader.asText()) : Optional.empty(), body.path("joint").asBoolean(false),
                members);
    }

    @Override
    public Optional<Progress> progress(String endpoint) {
        Reply r = send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/status")).GET());
        if (!r.ok()) {
            return Optional.empty();
        }
        try {
            JsonNode status = JSON.readTree(r.message());
            if (!status.path("commitIndex").isNumber() || !status.path("appliedIndex").isNumber()) {
                return Optional.empty();
            }
            return Optional.of(new Progress(status.path("commitIndex").asLong(), status.path("appliedIndex").asLong()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Reply add(String endpoint, String id, String raft, String httpUrl) {
        ObjectNode body = JSON.createObjectNode().put("id", id).put("raft", raft).put("http", httpUrl);
        return send(post(endpoint + "/v1/members", body));
    }

    @Override
    public Reply promote(String endpoint, String id) {
        return send(post(endpoint + "/v1/members/" + encode(id) + "/promote", null));
    }

    @Override
    public Reply remove(String endpoint, String id) {
        return send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/members/" + encode(id))).DELETE());
    }

    @Override
    public Reply transferLeader(String endpoint, String id) {
        return send(post(endpoint + "/v1/leader", JSON.createObjectNode().put("id", id)));
    }

    private static HttpRequest.Builder post(String url, ObjectNode body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.statusCode() == 200 ? r.body() : message(r.body()));
        } catch (IOException e) {
            return new Reply(Reply.NO_ANSWER, String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(Reply.NO_ANSWER, "interrupted");
        }
    }

    /** The refusal's own words when the body carries them ({@code {"error": code, "message": why}}), else the body. */
    private static String message(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node.path("error").isTextual()) {
                return node.path("error").asText() + (node.path("message").isTextual() ? ": " + node.path("message").asText() : "");
            }
        } catch (IOException | RuntimeException notJson) {
            // the body as it came
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
