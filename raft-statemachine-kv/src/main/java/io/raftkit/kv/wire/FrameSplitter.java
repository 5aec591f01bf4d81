package io.raftkit.kv.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into the protocol's frames (a 4-byte length, then that many bytes). Frames that
 * arrived whole are handed over where they lie, without a copy; only a frame split across reads is
 * gathered. A frame whose declared length is over the limit is never buffered: its bytes are read
 * and dropped, and it is reported with its request id, so the stream stays in step and the other
 * requests on the connection go on.
 */
public final class FrameSplitter {

    /** Receives each complete frame's body: bytes {@code start} to {@code end} of {@code buffer}. */
    public interface Handler {
        void frame(Buffer buffer, int start, int end);

        /**
         * A frame declared {@code length} bytes, more than allowed; its bytes are being dropped.
         * {@code id} is its request id, or 0 when the frame was too short to hold one.
         */
        void tooLarge(long length, int id);
    }

    private static final int READING_LENGTH = -1;
    private static final int SKIPPING = -2;
    /** A request's op byte and id, which a dropped frame is answered under. */
    private static final int ID_END = 5;

    private final int maxFrameBytes;
    private final byte[] lengthBytes = new byte[WireCodec.LENGTH_BYTES];
    private int lengthFill;
    /** The body length of the frame being read, or one of the states above. */
    private int declared = READING_LENGTH;
    /** The body of a frame split across reads, gathered. */
    private Buffer gathered;
    private long skipLength;
    private long skipLeft;
    private int skipRead;
    private int skipId;
    private boolean skipReported;
    private long partialSinceNanos;
    private boolean stopped;

    public FrameSplitter(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Bytes a frame that is being gathered declared (its body), 0 when none is. */
    public int gatheringBytes() {
        return gathered == null ? 0 : declared;
    }

    /** When the frame in progress started to arrive ({@link System#nanoTime()}), 0 when between frames. */
    public long partialSinceNanos() {
        return partialSinceNanos;
    }

    public void feed(Buffer data, Handler handler) {
        int position = 0;
        int end = data.length();
        while (position < end && !stopped) {
            if (declared == READING_LENGTH) {
                long length;
                if (lengthFill == 0 && end - position >= WireCodec.LENGTH_BYTES) {
                    length = data.getUnsignedInt(position);
                    position += WireCodec.LENGTH_BYTES;
                } else {
                    markPartial();
                    while (lengthFill < WireCodec.LENGTH_BYTES && position < end) {
                        lengthBytes[lengthFill++] = data.getByte(position++);
                    }
                    if (lengthFill < WireCodec.LENGTH_BYTES) {
                        break;
                    }
                    lengthFill = 0;
                    length = Buffer.buffer(lengthBytes).getUnsignedInt(0);
                }
                if (length > maxFrameBytes) {
                    markPartial();
                    declared = SKIPPING;
                    skipLength = length;
                    skipLeft = length;
                    skipRead = 0;
                    skipId = 0;
                    skipReported = false;
                } else {
                    declared = (int) length;
                    if (end - position < declared) {
                        markPartial();
                    }
                    if (declared == 0) {
                        declared = READING_LENGTH;
                        partialSinceNanos = 0;
                        handler.frame(data, position, position);
                    }
                }
            } else if (declared == SKIPPING) {
                while (skipRead < ID_END && skipLeft > 0 && position < end) {
                    byte b = data.getByte(position++);
                    if (skipRead > 0) {
                        skipId = skipId << 8 | (b & 0xFF);
                    }
                    skipRead++;
                    skipLeft--;
                }
                if (!skipReported && (skipRead == ID_END || skipLeft == 0)) {
                    skipReported = true; // answered as soon as its id is known, not after its last byte
                    handler.tooLarge(skipLength, skipRead == ID_END ? skipId : 0);
                }
                int take = (int) Math.min(skipLeft, end - position);
                position += take;
                skipLeft -= take;
                if (skipLeft == 0) {
                    declared = READING_LENGTH;
                    partialSinceNanos = 0;
                }
            } else if (gathered == null && end - position >= declared) {
                int start = position;
                position += declared;
                declared = READING_LENGTH;
                partialSinceNanos = 0;
                handler.frame(data, start, position);
            } else {
                markPartial();
                if (gathered == null) {
                    gathered = Buffer.buffer(declared);
                }
                int take = Math.min(declared - gathered.length(), end - position);
                gathered.appendBuffer(data, position, take);
                position += take;
                if (gathered.length() == declared) {
                    Buffer whole = gathered;
                    gathered = null;
                    declared = READING_LENGTH;
                    partialSinceNanos = 0;
                    handler.frame(whole, 0, whole.length());
                }
            }
        }
    }

    /** No more frames are handed over (the connection is closing). */
    public void stop() {
        stopped = true;
        gathered = null;
    }

    private void markPartial() {
        if (partialSinceNanos == 0) {
            partialSinceNanos = System.nanoTime();
        }
    }
}
