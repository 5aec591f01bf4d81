package io.raftkit.kv.http;

import io.raftkit.kv.wire.MalformedFrameException;
import io.raftkit.kv.wire.WireCodec;
import io.raftkit.kv.wire.WireRequest;
import io.raftkit.kv.wire.WireResponse;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The binary client protocol over a plain blocking socket, for tests that send what they like. */
final class RawStream implements AutoCloseable {

    final Socket socket;
    final String head;
    private final DataInputStream in;

    private RawStream(Socket socket, String head) throws IOException {
        this.socket = socket;
        this.head = head;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Upgrades a new connection to {@code port}; the head of the 101 answer is kept. */
    static RawStream open(int port) throws IOException {
        Socket socket = RawHttp.connect("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(RawHttp.bytes("GET " + WireCodec.PATH + " HTTP/1.1\r\nHost: test\r\n",
                "Connection: Upgrade\r\nUpgrade: " + WireCodec.PROTOCOL + "\r\n\r\n"));
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no upgrade: " + head);
        }
        return new RawStream(socket, head);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    void send(WireRequest... requests) throws IOException {
        Buffer out = Buffer.buffer();
        for (WireRequest r : requests) {
            WireCodec.write(r, out);
        }
        sendRaw(out.getBytes());
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** The next answer; an IOException when the server closed the connection. */
    WireResponse read() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        try {
            return WireCodec.readResponse(Buffer.buffer(body), 0, length);
        } catch (MalformedFrameException e) {
            throw new IOException("the server sent a bad frame: " + e.getMessage(), e);
        }
    }

    /** Whether the server closed the connection (reads end) within the socket's timeout. */
    boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain what it sent before closing
            }
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
