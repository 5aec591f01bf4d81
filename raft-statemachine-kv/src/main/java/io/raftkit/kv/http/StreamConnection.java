package io.raftkit.kv.http;

import io.micrometer.core.instrument.Timer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.wire.FrameSplitter;
import io.raftkit.kv.wire.MalformedFrameException;
import io.raftkit.kv.wire.WireCodec;
import io.raftkit.kv.wire.WireOp;
import io.raftkit.kv.wire.WireRequest;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One connection upgraded to the binary client protocol ({@link WireCodec}). Requests are decoded as
 * they arrive and handed to {@link KvService} at once, so one connection carries many at a time;
 * answers come back from the Raft loop in batches (a commit completes many proposals), are queued
 * here, and go out together in one socket write per turn of this connection's event loop.
 *
 * <p>Only the leader serves requests that need it: a follower answers them 503 {@code not-leader}
 * with the leader's id and HTTP URL instead of forwarding, so a client reconnects to the leader
 * rather than pay a hop on every request. Stale reads are served by any node.
 *
 * <p>Bounded: at most {@link #MAX_IN_FLIGHT} requests of one connection are being served at once
 * (the socket is not read beyond that, so TCP pushes back on the client), a frame over the body limit
 * is refused before it is buffered and the connection closed, and the {@link ConnectionGuard} closes
 * a connection that idles or trickles a frame (as it does for HTTP heads and bodies).
 */
final class StreamConnection {

    /** Requests of one connection being served at once; beyond it the socket is paused. */
    static final int MAX_IN_FLIGHT = 4096;

    private final NetSocket socket;
    private final Context context;
    private final KvService service;
    private final KvMetrics metrics;
    private final FrameSplitter frames;
    private final int maxFrameBytes;
    /** An answered request, queued on whatever thread answered it (the Raft loop, mostly) for the next flush. */
    private record Done(int id, WireOp op, Timer.Sample sample, Answer answer) {
    }

    private final ConcurrentLinkedQueue<Done> answered = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile long partialSinceNanos;
    private volatile boolean closed;
    // Event-loop only.
    private boolean paused;
    private boolean closeAfterFlush;
    private long reservedBytes;
    private final ConnectionGuard.BodyBudget budget;

    StreamConnection(NetSocket socket, Context context, KvService service, KvMetrics metrics, HttpLimits limits,
                     ConnectionGuard.BodyBudget budget) {
        this.socket = socket;
        this.context = context;
        this.service = service;
        this.metrics = metrics;
        this.budget = budget;
        // A frame holds a key, up to two values and a few fixed fields; a JSON body is bounded by
        // max-body-bytes, and so is a frame's share beyond its key.
        long max = WireCodec.REQUEST_OVERHEAD_BYTES + (long) limits.maxKeyBytes()
                + Math.min(2L * limits.maxValueBytes(), limits.maxBodyBytes());
        this.maxFrameBytes = (int) Math.min(Integer.MAX_VALUE - 8, max);
        this.frames = new FrameSplitter(maxFrameBytes);
    }

    /** @param onClosed runs once the socket closed (the guard's accounting) */
    void start(Runnable onClosed) {
        socket.handler(this::onData);
        socket.closeHandler(v -> {
            onClose();
            onClosed.run();
        });
        socket.exceptionHandler(e -> socket.close());
    }

    /** Whether nothing arrived and nothing was being served for {@code idleNanos}. */
    boolean idleLongerThan(long now, long idleNanos) {
        return inFlight.get() == 0 && now - lastActivityNanos > idleNanos;
    }

    /** Whether an incomplete frame has been waiting for its rest longer than {@code nanos}. */
    boolean frameTrickledLongerThan(long now, long nanos) {
        long since = partialSinceNanos;
        return since != 0 && now - since > nanos;
    }

    void close() {
        context.runOnContext(v -> socket.close());
    }

    private void onData(Buffer data) {
        lastActivityNanos = System.nanoTime();
        frames.feed(data, new FrameSplitter.Handler() {
            @Override
            public void frame(Buffer buffer, int start, int end) {
                onFrame(buffer, start, end);
            }

            @Override
            public void tooLarge(long length, int id) {
                // Its bytes are dropped as they come: the stream stays in step, other requests go on.
                reply(id, Answer.of(ApiError.rejected(413, "body-too-large", "a frame of " + length + " bytes exceeds"
                        + " this node's limit of " + maxFrameBytes + " (from max-value-bytes, max-key-bytes and max-body-bytes);"
                        + " it was not read")));
            }
        });
        holdPartial();
        if (inFlight.get() >= MAX_IN_FLIGHT && !paused) {
            paused = true;
            socket.pause();
        }
    }

    /** Accounts for a frame held across reads: its declared size against the node's body buffer, and its age. */
    private void holdPartial() {
        partialSinceNanos = frames.partialSinceNanos();
        int declared = frames.gatheringBytes();
        if (declared == 0) {
            release();
            return;
        }
        if (declared > reservedBytes) {
            if (!budget.reserve(declared - reservedBytes)) {
                refuseAndClose(0, ApiError.rejected(503, "busy", "request bodies being read are near this node's limit;"
                        + " a frame of " + declared + " bytes was not read. Retry shortly"));
                return;
            }
            reservedBytes = declared;
        }
    }

    private void release() {
        if (reservedBytes > 0) {
            budget.release(reservedBytes);
            reservedBytes = 0;
        }
    }

    private void onFrame(Buffer buffer, int start, int end) {
        WireRequest request;
        try {
            request = WireCodec.readRequest(buffer, start, end);
        } catch (MalformedFrameException e) {
            // The frame's bounds are known, so the stream stays in step: answer and go on.
            reply(WireCodec.requestId(buffer, start, end - start).orElse(0), Answer.of(ApiError.rejected(400, e.error(), e.getMessage())));
            return;
        }
        inFlight.incrementAndGet();
        Timer.Sample sample = metrics.start();
        CompletableFuture<Answer> result = serve(request);
        // Runs on the Raft loop for most requests: only queue there, encode on this event loop.
        result.whenComplete((answer, failure) -> {
            inFlight.decrementAndGet();
            answered.add(new Done(request.id(), request.op(), sample, failure == null ? answer : Answer.of(ApiError.from(failure))));
            scheduleFlush();
        });
    }

    private CompletableFuture<Answer> serve(WireRequest r) {
        try {
            service.checkKey(r.key());
            if (r.expected() != null) {
                service.checkValue("expected", r.expected());
            }
            if (r.value() != null) {
                service.checkValue("value", r.value());
            }
        } catch (BadRequest e) {
            return CompletableFuture.completedFuture(Answer.of(ApiError.rejected(400, e.error, e.getMessage())));
        }
        RaftStatus status = service.status();
        if (r.op() != WireOp.GET_STALE && !service.leads(status)) {
            return CompletableFuture.completedFuture(Answer.of(service.notLeader(status,
                    "serves binary-protocol requests that need the leader only as the leader")));
        }
        if (!r.op().isWrite()) {
            return service.read(r.op(), r.key());
        }
        SessionStamp session = r.clientId() == 0 ? SessionStamp.anonymous(0) : new SessionStamp(r.clientId(), r.sequence(), 0);
        return service.write(r.op(), status, session, command(r));
    }

    private static Function<SessionStamp, KvCommand> command(WireRequest r) {
        if (r.op() == WireOp.PUT) {
            return stamp -> new KvCommand.Put(stamp, r.key(), r.value());
        } else if (r.op() == WireOp.DELETE) {
            return stamp -> new KvCommand.Delete(stamp, r.key());
        } else if (r.op() == WireOp.CAS) {
            return stamp -> new KvCommand.Cas(stamp, r.key(), Optional.ofNullable(r.expected()), r.value());
        }
        throw new AssertionError("unhandled " + r.op());
    }

    private void reply(int id, Answer answer) {
        answered.add(new Done(id, null, null, answer));
        scheduleFlush();
    }

    private void refuseAndClose(int id, ApiError error) {
        frames.stop();
        socket.pause();
        closeAfterFlush = true;
        reply(id, Answer.of(error));
    }

    /** One write for every answer queued meanwhile: the Raft loop completes proposals in batches. */
    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
    }

    private void flush() {
        flushScheduled.set(false);
        if (closed) {
            answered.clear();
            return;
        }
        Buffer out = null;
        Done d;
        while ((d = answered.poll()) != null) {
            if (d.sample() != null) {
                metrics.stop(d.sample(), d.op().label(), d.answer().status());
            }
            if (out == null) {
                out = Buffer.buffer(256);
            }
            WireCodec.write(d.answer().wire(d.id()), out);
        }
        if (out != null) {
            lastActivityNanos = System.nanoTime();
            socket.write(out);
        }
        if (closeAfterFlush) {
            socket.end();
            return;
        }
        if (paused && inFlight.get() < MAX_IN_FLIGHT / 2) {
            if (socket.writeQueueFull()) {
                socket.drainHandler(v -> resume());
            } else {
                resume();
            }
        } else if (!paused && socket.writeQueueFull()) {
            // The client reads slower than it sends: stop reading until it catches up.
            paused = true;
            socket.pause();
            socket.drainHandler(v -> resume());
        }
    }

    private void resume() {
        if (paused && !closed && !closeAfterFlush) {
            paused = false;
            socket.resume();
        }
    }

    private void onClose() {
        closed = true;
        frames.stop();
        release();
        answered.clear();
    }
}
