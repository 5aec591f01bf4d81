package io.raftkit.transport.vertx.codec;

import io.vertx.core.buffer.Buffer;

/** Reads fields of one frame body, refusing to read past its end so garbage cannot over-read. */
final class FrameReader {

    private final Buffer buffer;
    private int position;
    private final int end;

    FrameReader(Buffer buffer, int start, int end) {
        this.buffer = buffer;
        this.position = start;
        this.end = end;
    }

    int remaining() {
        return end - position;
    }

    private void need(int bytes, String what) throws MalformedFrameException {
        if (end - position < bytes) {
            throw new MalformedFrameException("truncated frame: " + what + " needs " + bytes + " bytes, "
                    + (end - position) + " left");
        }
    }

    byte readByte(String what) throws MalformedFrameException {
        need(1, what);
        return buffer.getByte(position++);
    }

    boolean readBoolean(String what) throws MalformedFrameException {
        byte b = readByte(what);
        if (b != 0 && b != 1) {
            throw new MalformedFrameException(what + " must be 0 or 1, was " + b);
        }
        return b == 1;
    }

    int readInt(String what) throws MalformedFrameException {
        need(4, what);
        int value = buffer.getInt(position);
        position += 4;
        return value;
    }

    long readLong(String what) throws MalformedFrameException {
        need(8, what);
        long value = buffer.getLong(position);
        position += 8;
        return value;
    }

    /** A non-negative long, as terms and indexes are. */
    long readCount(String what) throws MalformedFrameException {
        long value = readLong(what);
        if (value < 0) {
            throw new MalformedFrameException(what + " must not be negative, was " + value);
        }
        return value;
    }

    byte[] readBytes(int size, String what) throws MalformedFrameException {
        if (size < 0) {
            throw new MalformedFrameException(what + " size must not be negative, was " + size);
        }
        need(size, what);
        byte[] bytes = new byte[size];
        buffer.getBytes(position, position + size, bytes);
        position += size;
        return bytes;
    }

    /** Compares the next {@code expected.length} bytes without allocating. */
    boolean nextBytesEqual(byte[] expected) {
        if (end - position < expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (buffer.getByte(position + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    void skip(int bytes) {
        position += bytes;
    }

    void expectEnd() throws MalformedFrameException {
        if (position != end) {
            throw new MalformedFrameException("garbled frame: " + (end - position) + " bytes after the message");
        }
    }
}
