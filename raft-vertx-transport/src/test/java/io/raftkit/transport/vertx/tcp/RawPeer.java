package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeCodec;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.buffer.Buffer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A hand-driven TCP client for hostile-peer tests: it says whatever it is told, byte for byte, and
 * reports what the node answered and whether it hung up.
 */
final class RawPeer implements AutoCloseable {

    static final String CLUSTER = TcpOptions.DEFAULT_CLUSTER_ID;

    final Socket socket;

    private RawPeer(Socket socket) {
        this.socket = socket;
    }

    /** Connects from 127.0.0.1 to {@code port}. */
    static RawPeer connect(int port) throws IOException {
        return connectFrom(InetAddress.getLoopbackAddress(), port);
    }

    /** Connects from a chosen local address (any 127.x.y.z is this machine on Linux) to {@code port}. */
    static RawPeer connectFrom(InetAddress local, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(local, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        return new RawPeer(s);
    }

    /** Names itself {@code from} of the default cluster, wishing to reach {@code to}, offering no credential. */
    RawPeer hello(NodeId from, NodeId to) throws IOException {
        return hello(CLUSTER, from, to);
    }

    RawPeer hello(String cluster, NodeId from, NodeId to) throws IOException {
        return write(frame(new Hello(cluster, from, to, new byte[0])));
    }

    /**
     * Completes the handshake as a member holding {@code secret} (or, when it is null, as the member
     * of a node that demands none); afterwards Raft frames may be sent.
     */
    RawPeer handshakeAs(NodeId from, NodeId to, PeerSecret secret) throws IOException {
        Hello hello = new Hello(CLUSTER, from, to, secret == null ? new byte[0] : PeerSecret.nonce());
        write(frame(hello));
        HandshakeFrame answer = read();
        if (answer instanceof Challenge c) {
            write(frame(new Proof(secret.prove(PeerSecret.Role.DIALER, hello, c.nonce()))));
            answer = read();
        }
        if (!(answer instanceof Accepted)) {
            throw new IOException("not admitted: " + answer);
        }
        return this;
    }

    /** The next handshake frame the node sent. */
    HandshakeFrame read() throws IOException {
        socket.setSoTimeout(10_000);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        try {
            return HandshakeCodec.decode(Buffer.buffer(body), 0, length);
        } catch (MalformedFrameException e) {
            throw new IOException(e.getMessage());
        }
    }

    RawPeer send(RaftMessage m) throws IOException {
        Buffer out = Buffer.buffer();
        RaftMessageCodec.writeFrame(m, out);
        return write(out);
    }

    RawPeer write(Buffer bytes) throws IOException {
        socket.getOutputStream().write(bytes.getBytes());
        socket.getOutputStream().flush();
        return this;
    }

    static Buffer frame(HandshakeFrame frame) {
        Buffer out = Buffer.buffer();
        HandshakeCodec.write(frame, out);
        return out;
    }

    /** True when the node closes the connection within {@code timeout} (anything it wrote first is skipped). */
    boolean closedWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (in.read() != -1) {
                // the node may answer a handshake before it hangs up
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (EOFException | java.net.SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
