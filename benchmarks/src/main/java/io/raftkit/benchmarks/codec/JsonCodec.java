package io.raftkit.benchmarks.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON baseline for {@link CodecBenchmark}: AppendEntries written and read with Jackson's
 * streaming API (no reflection, no tree), so the comparison charges JSON only for being text.
 */
final class JsonCodec {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonCodec() {
    }

    static byte[] encode(RaftMessage m) throws IOException {
        AppendEntries a = (AppendEntries) m;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + a.entries().size() * 180);
        try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("type", "AppendEntries");
            g.writeStringField("from", a.from().value());
            g.writeStringField("to", a.to().value());
            g.writeNumberField("term", a.term());
            g.writeNumberField("prevLogIndex", a.prevLogIndex());
            g.writeNumberField("prevLogTerm", a.prevLogTerm());
            g.writeNumberField("leaderCommit", a.leaderCommit());
            g.writeNumberField("readRound", a.readRound());
            g.writeArrayFieldStart("entries");
            for (LogEntry e : a.entries()) {
                g.writeStartObject();
                g.writeNumberField("index", e.index());
                g.writeNumberField("term", e.term());
                g.writeNumberField("kind", e.kind().code());
                g.writeBinaryField("payload", e.payload());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    static RaftMessage decode(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            String from = null;
            String to = null;
            long term = 0;
            long prevLogIndex = 0;
            long prevLogTerm = 0;
            long leaderCommit = 0;
            long readRound = 0;
            List<LogEntry> entries = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "type" -> p.getText();
                    case "from" -> from = p.getText();
                    case "to" -> to = p.getText();
                    case "term" -> term = p.getLongValue();
                    case "prevLogIndex" -> prevLogIndex = p.getLongValue();
                    case "prevLogTerm" -> prevLogTerm = p.getLongValue();
                    case "leaderCommit" -> leaderCommit = p.getLongValue();
                    case "readRound" -> readRound = p.getLongValue();
                    case "entries" -> readEntries(p, entries);
                    default -> throw new IOException("unknown field " + field);
                }
            }
            return new AppendEntries(NodeId.of(from), NodeId.of(to), term, prevLogIndex, prevLogTerm, entries,
                    leaderCommit, readRound);
        }
    }

    private static void readEntries(JsonParser p, List<LogEntry> entries) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            long index = 0;
            long term = 0;
            int kind = 0;
            byte[] payload = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "index" -> index = p.getLongValue();
                    case "term" -> term = p.getLongValue();
                    case "kind" -> kind = p.getIntValue();
                    case "payload" -> payload = p.getBinaryValue();
                    default -> throw new IOException("unknown field " + field);
                }
            }
            entries.add(new LogEntry(index, term, EntryKind.ofCode(kind), payload));
        }
    }

    private static void expect(JsonToken got, JsonToken wanted) throws IOException {
        if (got != wanted) {
            throw new IOException("expected " + wanted + ", got " + got);
        }
    }
}
