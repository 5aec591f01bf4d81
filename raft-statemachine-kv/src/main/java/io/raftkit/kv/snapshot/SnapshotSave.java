package io.raftkit.kv.snapshot;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code raft-kv snapshot save}: downloads a node's newest snapshot ({@code GET /v1/snapshot}) into
 * {@code FILE.part}, forces it to disk, reads it through to check its checksum, and only then
 * renames it to {@code FILE} (and forces the directory), so a file under the asked name is always a
 * whole, verified snapshot. Tries the endpoints in order until one gives a sound snapshot.
 */
public final class SnapshotSave {

    private static final int ERROR_BODY_BYTES = 64 * 1024;

    private SnapshotSave() {
    }

    /**
     * @param takeNow ask the node for a new snapshot first ({@code POST /v1/snapshot})
     * @throws IllegalArgumentException {@code file} exists, its directory does not, or an endpoint is not a URL
     * @throws IOException              no endpoint gave a sound snapshot; the message has each one's reason
     */
    public static SnapshotFileStatus save(List<String> endpoints, Path file, boolean takeNow, Duration timeout)
            throws IOException, InterruptedException {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists; a backup is never overwritten: choose a new name");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("directory " + dir + " does not exist");
        }
        List<URI> bases = new ArrayList<>();
        for (String endpoint : endpoints) {
            try {
                URI uri = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http://host:port URL");
                }
                bases.add(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--endpoints: '" + endpoint + "': " + e.getMessage());
            }
        }
        Path part = dir.resolve(file.getFileName() + ".part");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> failures = new ArrayList<>();
        for (URI base : bases) {
            try {
                if (takeNow) {
                    HttpResponse<InputStream> taken = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/snapshot"))
                            .timeout(timeout).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (taken.statusCode() != 200) {
                        failures.add(base + ": POST /v1/snapshot answered " + taken.statusCode() + " " + message(taken));
                        continue;
                    }
                    taken.body().close();
                }
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/snapshot"))
                        .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    failures.add(base + ": GET /v1/snapshot answered " + response.statusCode() + " " + message(response));
                    continue;
                }
                download(response.body(), part);
                SnapshotFileStatus status = SnapshotFileStatus.inspect(part);
                if (!status.ok()) {
                    failures.add(base + ": the snapshot arrived damaged: " + status.problem().orElse("checksum mismatch"));
                    Files.deleteIfExists(part);
                    continue;
                }
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true); // the rename itself survives a power loss
                }
                return new SnapshotFileStatus(file, status.meta(), status.fileBytes(), status.keys(), status.sessions(),
                        status.checksumOk(), status.problem());
            } catch (IOException e) {
                failures.add(base + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                Files.deleteIfExists(part);
            }
        }
        throw new IOException("no snapshot saved; " + String.join("; ", failures));
    }

    private static void download(InputStream body, Path part) throws IOException {
        try (InputStream in = body;
             FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(channel);
            in.transferTo(out);
            out.flush();
            channel.force(true);
        }
    }

    /** The error's message from a JSON error answer, or the start of whatever the body is. */
    private static String message(HttpResponse<InputStream> response) throws IOException {
        try (InputStream in = response.body()) {
            String text = new String(in.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8);
            try {
                JsonObject json = new JsonObject(text);
                return json.getString("error", "") + ": " + json.getString("message", text);
            } catch (DecodeException | ClassCastException e) {
                return text.length() > 200 ? text.substring(0, 200) + "..." : text;
            }
        }
    }
}
