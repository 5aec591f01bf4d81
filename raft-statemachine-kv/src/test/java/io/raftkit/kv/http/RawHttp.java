package io.raftkit.kv.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** HTTP/1.1 over a plain socket, for requests no well-behaved client would send. */
final class RawHttp {

    /** A status line and body; status 0 when the server closed without answering. */
    record Answer(int status, String head, String body) {
    }

    private RawHttp() {
    }

    static byte[] bytes(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : parts) {
            out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code METHOD target} with a JSON body (or none), as raw bytes; the target may hold any bytes. */
    static byte[] request(String method, byte[] target, byte[] body) {
        String head = " HTTP/1.1\r\nHost: test\r\n" + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
        return concat(bytes(method + " "), target, bytes(head), body == null ? new byte[0] : body);
    }

    /** Opens a connection from {@code from} (a loopback address such as 127.0.0.2) to the port. */
    static Socket connect(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        return socket;
    }

    static Answer send(int port, byte[] request) throws IOException {
        try (Socket socket = connect("127.0.0.1", port)) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket, 5_000);
        }
    }

    /** Reads one answer (head and Content-Length body), or what arrived before the server closed. */
    static Answer read(Socket socket, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                String text = got.toString(StandardCharsets.ISO_8859_1); // one char a byte: indexes are byte offsets
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    int length = contentLength(text.substring(0, end));
                    if (got.size() - (end + 4) >= length) {
                        String body = new String(got.toByteArray(), end + 4, length, StandardCharsets.UTF_8);
                        return new Answer(status(text), text.substring(0, end), body);
                    }
                }
                int n = in.read(buffer);
                if (n < 0) {
                    return new Answer(got.size() == 0 ? 0 : status(text), text, "");
                }
                got.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + timeoutMillis + " ms; got: " + got.toString(StandardCharsets.UTF_8));
        }
    }

    /** Whether the server has closed the connection (reads EOF or a reset) within the timeout. */
    static boolean closedWithin(Socket socket, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            return socket.getInputStream().read(new byte[1024]) < 0 || closedWithin(socket, timeoutMillis);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    private static int status(String text) {
        String[] parts = text.split(" ", 3);
        return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }
}
