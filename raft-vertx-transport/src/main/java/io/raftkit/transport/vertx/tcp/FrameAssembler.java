package io.raftkit.transport.vertx.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;

/**
 * Cuts the bytes of a connection into length-prefixed frames ({@link WireFormat}) straight from the
 * socket's own (pooled, direct) read buffers, with at most one copy of each byte: a frame that lies
 * whole in what one read delivered is handed on in place, and a frame split over reads is gathered
 * into an array that is kept for the next split frame when it is at most {@link #KEPT_GATHER_BYTES}.
 * Vert.x's {@code RecordParser} appended every read to a growing buffer and copied each record out
 * of it, Vert.x's socket handler copies every read into a new heap buffer, and a new array per
 * gathered frame is zeroed and paged in again: each was a visible share of a 512 MiB InstallSnapshot
 * receiver's CPU (docs/benchmarks.md, "Issue 16: InstallSnapshot").
 *
 * <p>Owns the reads it is handed: each is released once cut up, and {@link #close} releases what
 * waits. A length below zero or above what {@link Frames#length} admits is refused before anything
 * is gathered, so bad bytes cost a small, bounded allocation at most. Runs on one event loop; not
 * thread-safe.
 */
final class FrameAssembler {

    /** A gather array up to this size (four default InstallSnapshot chunks) is kept for the next split frame. */
    static final int KEPT_GATHER_BYTES = 1 << 20;

    /** What the connection does with the assembler's output. */
    interface Frames {
        /** Checks a frame's length (version, type and body) before anything is gathered; throws to refuse it. */
        void length(int length);

        /** One whole frame body, {@code buffer[start, end)}; valid only during the call (its bytes are reused after). */
        void frame(Buffer buffer, int start, int end);
    }

    private final Frames frames;
    /** Reads that arrived while paused, and the unread rest of the one being cut; each released once used up. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private final byte[] lengthBytes = new byte[WireFormat.LENGTH_BYTES];
    private int lengthFilled;
    /** The array a split frame is gathered into, and its view as a Buffer. */
    private byte[] gather;
    private Buffer gatherView;
    /** The length of the split frame being gathered, and how much of it is here; -1 when none. */
    private int gatherLength = -1;
    private int gathered;
    private boolean paused;
    private boolean cutting;
    private boolean closed;

    FrameAssembler(Frames frames) {
        this.frames = frames;
    }

    /** Takes one read (and its reference: the assembler releases it). */
    void handle(ByteBuf data) {
        if (closed) {
            data.release();
            return;
        }
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

    /** Releases every read still waiting; later reads are released at once. Idempotent. */
    void close() {
        closed = true;
        for (ByteBuf b = pending.pollFirst(); b != null; b = pending.pollFirst()) {
            b.release();
        }
        gather = null;
        gatherView = null;
    }

    private void cut() {
        if (cutting) {
            return; // resume() from inside a frame handler: the running loop goes on
        }
        cutting = true;
        try {
            while (!paused && !closed && !pending.isEmpty()) {
                ByteBuf data = pending.peekFirst();
                cutFrom(data);
                if (!data.isReadable() && pending.peekFirst() == data) {
                    pending.pollFirst();
                    data.release();
                }
            }
        } finally {
            cutting = false;
        }
    }

    /** Cuts frames out of {@code data}'s readable bytes until they are used up or a frame paused us. */
    private void cutFrom(ByteBuf data) {
        while (data.isReadable() && !paused && !closed) {
            if (gatherLength >= 0) {
                int take = Math.min(data.readableBytes(), gatherLength - gathered);
                data.readBytes(gather, gathered, take);
                gathered += take;
                if (gathered == gatherLength) {
                    int length = gatherLength;
                    gatherLength = -1;
                    Buffer view = gatherView;
                    if (gather.length > KEPT_GATHER_BYTES) {
                        gather = null; // a rare big frame does not pin its array to the connection
                        gatherView = null;
                    }
                    frames.frame(view, 0, length);
                }
                continue;
            }
            int length;
            if (lengthFilled == 0 && data.readableBytes() >= WireFormat.LENGTH_BYTES) {
                length = data.readInt();
            } else {
                while (lengthFilled < WireFormat.LENGTH_BYTES && data.isReadable()) {
                    lengthBytes[lengthFilled++] = data.readByte();
                }
                if (lengthFilled < WireFormat.LENGTH_BYTES) {
                    return;
                }
                lengthFilled = 0;
                length = ((lengthBytes[0] & 0xFF) << 24) | ((lengthBytes[1] & 0xFF) << 16) | ((lengthBytes[2] & 0xFF) << 8)
                        | (lengthBytes[3] & 0xFF);
            }
            if (length < 0) {
                // Whatever the connection admits: a negative length can be no frame, and must not reach the arithmetic below.
                throw new IllegalArgumentException("frame length " + length + " is negative");
            }
            frames.length(length);
            if (data.readableBytes() >= length) {
                int start = data.readerIndex();
                // Advance first: the handler may pause, and a failure must not see this frame again.
                data.skipBytes(length);
                frames.frame(BufferInternal.buffer(data), start, start + length);
            } else {
                startGather(length);
            }
        }
    }

    private void startGather(int length) {
        if (gather == null || gather.length < length) {
            // Sized to the frame (checked above), kept only when small: never more than the frame limit.
            gather = new byte[length];
            gatherView = BufferInternal.buffer(Unpooled.wrappedBuffer(gather));
        }
        gatherLength = length;
        gathered = 0;
    }
}
