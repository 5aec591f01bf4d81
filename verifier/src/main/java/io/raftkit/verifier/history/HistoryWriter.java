package io.raftkit.verifier.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftkit.verifier.runner.Recorded;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a run's history as {@code history.jsonl} (one JSON object a line) and {@code history.edn}
 * (a Knossos-compatible vector of maps with keyword keys). Both read back with
 * {@link io.raftkit.verifier.checker.HistoryFiles}.
 */
public final class HistoryWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryWriter() {
    }

    public static void writeJsonl(List<Recorded> events, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Recorded e : events) {
                ObjectNode o = JSON.createObjectNode();
                o.put("index", e.index());
                o.put("time", e.timeNanos());
                if (e.process() instanceof Integer p) {
                    o.put("process", p);
                } else {
                    o.put("process", String.valueOf(e.process()));
                }
                o.put("type", e.type());
                o.put("f", e.f());
                if (e.key() != null) {
                    o.put("key", e.key());
                }
                o.set("value", JSON.valueToTree(e.value()));
                if (e.error() != null) {
                    o.put("error", e.error());
                }
                out.write(JSON.writeValueAsString(o));
                out.write('\n');
            }
        }
    }

    public static void writeEdn(List<Recorded> events, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("[");
            for (Recorded e : events) {
                out.write("{:index " + e.index() + " :time " + e.timeNanos() + " :process "
                        + (e.process() instanceof Integer p ? p.toString() : ":" + e.process())
                        + " :type :" + e.type() + " :f :" + e.f());
                if (e.key() != null) {
                    out.write(" :key " + edn(e.key()));
                }
                out.write(" :value " + edn(e.value()));
                if (e.error() != null) {
                    out.write(" :error " + edn(e.error()));
                }
                out.write("}\n ");
            }
            out.write("]\n");
        }
    }

    /** EDN text of a history value: nil, numbers, strings, and lists of those (as vectors). */
    static String edn(Object v) {
        if (v == null) {
            return "nil";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) {
                s.append(i > 0 ? " " : "").append(edn(list.get(i)));
            }
            return s.append(']').toString();
        }
        String text = v.toString();
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
