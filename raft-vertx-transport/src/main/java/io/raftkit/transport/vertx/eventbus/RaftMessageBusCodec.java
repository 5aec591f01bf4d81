package io.raftkit.transport.vertx.eventbus;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * Puts {@link RaftMessage}s on the event bus. Locally the immutable record itself is handed over;
 * across a clustered bus it travels as one frame of the TCP transport's binary format.
 */
public final class RaftMessageBusCodec implements MessageCodec<RaftMessage, RaftMessage> {

    public static final String NAME = "raftkit-message";

    /** Ids are decoded generically here: one codec serves every cluster on a Vertx. */
    private final RaftMessageCodec codec = new RaftMessageCodec(List.of());

    @Override
    public void encodeToWire(Buffer buffer, RaftMessage m) {
        RaftMessageCodec.writeFrame(m, buffer);
    }

    /**
     * @throws IllegalArgumentException for malformed bytes from a remote Vert.x node; Vert.x then
     *                                  drops that message
     */
    @Override
    public RaftMessage decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        int start = pos + WireFormat.LENGTH_BYTES;
        if (length < WireFormat.HEADER_BYTES || length > buffer.length() - start) {
            throw new IllegalArgumentException("malformed raftkit frame on the event bus: length " + length);
        }
        try {
            return codec.decode(buffer, start, start + length);
        } catch (MalformedFrameException e) {
            throw new IllegalArgumentException("malformed raftkit frame on the event bus: " + e.getMessage());
        }
    }

    @Override
    public RaftMessage transform(RaftMessage m) {
        return m; // records are immutable and entry payloads are never modified once sent
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
