package io.raftkit.transport.vertx.tcp;

import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * Cuts the bytes of a connection into length-prefixed frames ({@link WireFormat}) with at most one
 * copy of each byte: a frame that lies whole in what one read delivered is handed on in place (a
 * range of that buffer), and a frame split over reads is gathered into one buffer of exactly its
 * length, allocated only after the length was checked. Vert.x's {@code RecordParser} appended every
 * read to a growing buffer and copied each record out of it: three copies of every byte and
 * buffers past G1's humongous size, which made a 512 MiB InstallSnapshot receiver CPU-bound
 * (docs/benchmarks.md, "Issue 16: InstallSnapshot"). Runs on one event loop; not thread-safe.
 */
final class FrameAssembler {

    /** What the connection does with the assembler's output. */
    interface Frames {
        /** Checks a frame's length (version, type and body) before anything is gathered; throws to refuse it. */
        void length(int length);

        /** One whole frame body, {@code buffer[start, end)}; valid only during the call. */
        void frame(Buffer buffer, int start, int end);
    }

    private final Frames frames;
    /** Reads that arrived while paused, and the unread rest of the one being cut. */
    private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
    private int pendingPosition;
    private final byte[] lengthBytes = new byte[WireFormat.LENGTH_BYTES];
    private int lengthFilled;
    /** The frame being gathered over several reads, or null. */
    private Buffer gathering;
    private int gatherLength;
    private boolean paused;
    private boolean cutting;

    FrameAssembler(Frames frames) {
        this.frames = frames;
    }

    void handle(Buffer data) {
        pending.addLast(data);
        cut();
    }

    /** Stops handing frames on after the current one; what is left waits here. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        cut();
    }

    private void cut() {
        if (cutting) {
            return; // resume() from inside a frame handler: the running loop goes on
        }
        cutting = true;
        try {
            while (!paused && !pending.isEmpty()) {
                Buffer data = pending.peekFirst();
                int position = pendingPosition;
                int end = data.length();
                position = cutFrom(data, position, end);
                if (position >= end) {
                    pending.pollFirst();
                    pendingPosition = 0;
                } else {
                    pendingPosition = position;
                }
            }
        } finally {
            cutting = false;
        }
    }

    /** Cuts frames out of {@code data[position, end)} until it is used up or a frame paused us; returns the new position. */
    private int cutFrom(Buffer data, int position, int end) {
        while (position < end && !paused) {
            if (gathering != null) {
                int take = Math.min(end - position, gatherLength - gathering.length());
                gathering.appendBuffer(data, position, take);
                position += take;
                if (gathering.length() == gatherLength) {
                    Buffer whole = gathering;
                    gathering = null;
                    // Advance first: the handler may pause, and a failure must not see this frame again.
                    pendingPosition = position;
                    frames.frame(whole, 0, gatherLength);
                }
                continue;
            }
            int length;
            if (lengthFilled == 0 && end - position >= WireFormat.LENGTH_BYTES) {
                length = data.getInt(position);
                position += WireFormat.LENGTH_BYTES;
            } else {
                while (lengthFilled < WireFormat.LENGTH_BYTES && position < end) {
                    lengthBytes[lengthFilled++] = data.getByte(position++);
                }
                if (lengthFilled < WireFormat.LENGTH_BYTES) {
                    return position;
                }
                lengthFilled = 0;
                length = ((lengthBytes[0] & 0xFF) << 24) | ((lengthBytes[1] & 0xFF) << 16) | ((lengthBytes[2] & 0xFF) << 8)
                        | (lengthBytes[3] & 0xFF);
            }
            frames.length(length);
            if (end - position >= length) {
                int start = position;
                position += length;
                pendingPosition = position;
                frames.frame(data, start, position);
            } else {
                gathering = Buffer.buffer(length);
                gatherLength = length;
            }
        }
        return position;
    }
}
