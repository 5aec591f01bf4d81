package io.raftkit.verifier.kv;

import io.raftkit.verifier.client.KvHttpClient;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.Session;
import io.raftkit.verifier.runner.IndeterminateWrites;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The KV store's {@link Client}: the register workload's {@code read}, {@code write} and {@code cas}
 * and the set workload's {@code add} and whole-set {@code read}, over the HTTP API at each node's
 * {@link Node#endpoint}, mapped onto completions by {@link KvHttpClient}'s rule: only the server's
 * explicit {@code not-applied} (or a connection never made) makes a write a {@code Fail}.
 *
 * <p>Each history process gets its own {@link #open opened} client, holding one exactly-once session
 * (client id {@code process + 1}, a sequence per request), which is what lets the runner resend an
 * operation that ended unknown after the final heal ({@link IndeterminateWrites}).
 */
public final class KvClient implements Client, IndeterminateWrites.Kv {

    /**
     * Client ids for processes whose session the store no longer keeps; far above the ids of
     * processes ({@code process + 1}), so the two never meet.
     */
    private static final AtomicLong FRESH_CLIENT_IDS = new AtomicLong(1L << 40);
    /**
     * Pause after a request no server answered. A container that is down still has its published
     * port open in docker-proxy, which accepts and closes at once: without a pause each client sent
     * a thousand requests a second there, and the load starved the nodes that were restarting. The
     * completion is recorded after the pause: it widens only failed and unknown operations.
     */
    public static final long NO_ANSWER_PAUSE_MILLIS = 100;
    /** Pause after a 503 (no leader yet, or cut off from it): an election takes a few hundred milliseconds. */
    public static final long UNAVAILABLE_PAUSE_MILLIS = 25;

    private final KvHttpClient http;
    private final boolean staleReads;
    private final boolean minorityServes;
    private final LongSupplier setElements;

    /**
     * @param staleReads     the planted bug {@code stale-read}: every read answered from the node's local state
     * @param minorityServes the planted bug {@code minority-serves}: a read that fails is answered from the node's local state
     * @param setElements    how many set elements were attempted, for the set workload's read of everything
     */
    public KvClient(Duration requestTimeout, boolean staleReads, boolean minorityServes, LongSupplier setElements) {
        this.http = new KvHttpClient(requestTimeout);
        this.staleReads = staleReads;
        this.minorityServes = minorityServes;
        this.setElements = setElements;
    }

    /** The client for {@code workload} (the set workload's read needs to know how many elements it attempted). */
    public static KvClient forWorkload(io.raftkit.verifier.spi.Workload workload, Duration requestTimeout, boolean staleReads,
                                       boolean minorityServes) {
        LongSupplier elements = workload instanceof KvSetWorkload set ? set::attempted : () -> 0;
        return new KvClient(requestTimeout, staleReads, minorityServes, elements);
    }

    /** Shared use, without a session: the final reads (which write nothing). */
    @Override
    public Completion invoke(Node node, Op op) {
        return new Process(-1).invoke(node, op);
    }

    @Override
    public Process open(int process) {
        return new Process(process);
    }

    /** A linearizable read for the resends (one key, no session needed). */
    @Override
    public KvResult read(String endpoint, String key) {
        return http.read(endpoint, key, false);
    }

    /** A write, CAS or add in {@code session}; a resend repeats the original's. */
    @Override
    public KvResult mutate(String endpoint, Op op, Session session) {
        return switch (op.f()) {
            case "write" -> http.write(endpoint, op.key(), (String) op.value(), session);
            case "cas" -> {
                List<?> v = (List<?>) op.value();
                // The workload's name for absence means "must be absent", which the API spells null.
                String expected = Objects.equals(v.get(0), KvRegisterWorkload.ABSENT) ? null : (String) v.get(0);
                yield http.cas(endpoint, op.key(), expected, (String) v.get(1), session);
            }
            case "add" -> http.write(endpoint, "s" + op.value(), (String) op.value(), session);
            default -> throw new IllegalArgumentException("the KV client has no operation '" + op.f() + "'");
        };
    }

    private static Completion completion(KvResult r, Object okValue) {
        if (r.outcome() == Outcome.OK) {
            return Completion.ok(okValue);
        }
        return r.outcome() == Outcome.FAIL ? Completion.fail(r.error()) : Completion.unknown(r.error());
    }

    /** One history process's client: its exactly-once session, and the last request's HTTP status. */
    public final class Process implements Client, IndeterminateWrites.InSession {

        private long clientId;
        private long sequence;
        private Session last;

        Process(int process) {
            this.clientId = process + 1L;
        }

        @Override
        public Session lastSession() {
            return last;
        }

        @Override
        public Completion invoke(Node node, Op op) {
            String endpoint = node.endpoint().orElseThrow(() -> new IllegalArgumentException(
                    "node " + node.id() + " has no HTTP endpoint: the KV client talks to the KV store's HTTP API"));
            if (op.f().equals("read") && KvSetWorkload.KEY.equals(op.key())) {
                return readSet(endpoint);
            }
            KvResult r;
            Object okValue;
            if (op.f().equals("read")) {
                r = http.read(endpoint, op.key(), staleReads);
                if (r.outcome() != Outcome.OK && minorityServes) {
                    r = http.read(endpoint, op.key(), true); // the planted bug: no leader to ask, so answer from here
                }
                okValue = r.value() != null ? r.value() : KvRegisterWorkload.ABSENT;
            } else {
                // One exactly-once session per process: a process retires after an unknown, so the
                // session's last request is the one a resend repeats.
                last = new Session(clientId > 0 ? clientId : FRESH_CLIENT_IDS.incrementAndGet(), ++sequence);
                clientId = last.clientId();
                r = mutate(endpoint, op, last);
                okValue = op.value();
                if (r.status() == 409 && r.error() != null && r.error().contains("session-expired")) {
                    // The store keeps no session for this client (its first request was never applied,
                    // or the session was evicted) and refuses every later sequence, not applied.
                    // Without a new client id this process would fail every write for the rest of the
                    // run (measured: no write succeeded after the first kill). The process stays; only
                    // its session is new.
                    clientId = FRESH_CLIENT_IDS.incrementAndGet();
                    sequence = 0;
                }
            }
            pauseAfter(r);
            return completion(r, okValue);
        }

        /** Every attempted element, one read each, answered as one read of the set (a list of the elements found). */
        private Completion readSet(String endpoint) {
            TreeSet<Long> found = new TreeSet<>();
            long elements = setElements.getAsLong();
            for (long x = 0; x < elements; x++) {
                KvResult r = http.read(endpoint, "s" + x, false);
                if (r.outcome() != Outcome.OK) {
                    pauseAfter(r);
                    return Completion.fail("read of set element " + x + " failed: " + r.error());
                }
                if (r.value() != null) {
                    found.add(Long.parseLong(r.value()));
                }
            }
            return Completion.ok(List.copyOf(found));
        }
    }

    private static void pauseAfter(KvResult r) {
        long millis = !r.answered() ? NO_ANSWER_PAUSE_MILLIS : r.status() == 503 ? UNAVAILABLE_PAUSE_MILLIS : 0;
        if (millis == 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
