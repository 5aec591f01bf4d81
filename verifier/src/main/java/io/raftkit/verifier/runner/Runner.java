package io.raftkit.verifier.runner;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.client.KvHttpClient;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.client.Session;
import io.raftkit.verifier.workload.Invocation;
import io.raftkit.verifier.workload.SetWorkload;
import io.raftkit.verifier.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a run: {@code concurrency} client threads perform the workload against random nodes while
 * the nemesis injects overlapping faults; then a full heal, a quiet period, a read of every key,
 * the resend of every indeterminate write in its own session ({@link IndeterminateWrites}), and a
 * read of every key again.
 * A client whose operation ends {@code info} is treated as crashed, as in Jepsen: it continues
 * under a new process number (and a new session), so no process ever has two operations open.
 *
 * <p>The final reads are also the run's liveness check. A cluster that stops serving after the
 * final heal leaves a history of failures, which is trivially linearizable; {@link #recoveryFailure()}
 * says so instead, and the run fails on it.
 */
public final class Runner {

    /**
     * Client ids for processes whose session the store no longer keeps; far above the ids of
     * processes ({@code process + 1}), so the two never meet.
     */
    private static final AtomicLong FRESH_CLIENT_IDS = new AtomicLong(1L << 40);


    private final ClusterBackend cluster;
    private final RunOptions options;
    private final Workload workload;
    private final KvHttpClient client;
    private final History history = new History();
    private final IndeterminateWrites indeterminate = new IndeterminateWrites();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final PrintStream progress;
    private volatile String recoveryFailure;
    /** Why the final heal could not restore the full membership, or null. */
    private volatile String notRestored;
    private String finalEndpoint;
    private int[] resent = {0, 0, 0};

    /**
     * Pause after a request no server answered. A container that is down still has its published
     * port open in docker-proxy, which accepts and closes at once: without a pause each client sent
     * a thousand requests a second there, and the load starved the nodes that were restarting.
     */
    static final long NO_ANSWER_PAUSE_MILLIS = 100;
    /** Pause after a 503 (no leader yet, or cut off from it): an election takes a few hundred milliseconds. */
    static final long UNAVAILABLE_PAUSE_MILLIS = 25;

    public Runner(ClusterBackend cluster, RunOptions options, Workload workload, PrintStream progress) {
        this.cluster = cluster;
        this.options = options;
        this.workload = workload;
        this.client = new KvHttpClient(options.requestTimeout());
        this.progress = progress;
    }

    /** Runs the whole schedule and returns the history. */
    public History run() throws IOException, InterruptedException {
        notRestored = FaultPhase.run(cluster, options, history, progress, "client-", this::clientLoop, stop);
        progress.printf(Locale.ROOT, "[%5.1fs] healed; quiet for %d s, then final reads, %d indeterminate writes resent, final reads again%n",
                history.elapsedNanos() / 1e9, options.quietPeriod().toSeconds(), indeterminate.size());
        Thread.sleep(options.quietPeriod().toMillis());
        long deadline = System.nanoTime() + options.recoveryTimeout().toNanos();
        // Read every key before the resends too: a resent write lands on its key after the faults, and
        // would hide a write that the faults lost (the value read would be the resent one's).
        finalReads(deadline);
        if (recoveryFailure == null) {
            resent = indeterminate.resend(history, cluster, deadline, new IndeterminateWrites.Kv() {
                @Override
                public KvResult read(String endpoint, String key) {
                    return client.read(endpoint, key, false);
                }

                @Override
                public KvResult mutate(String endpoint, Invocation op, Session session) {
                    return Runner.this.mutate(endpoint, op, session);
                }
            });
            progress.printf(Locale.ROOT, "[%5.1fs] resent: %d took effect only now, %d had before, %d undecided%n",
                    history.elapsedNanos() / 1e9, resent[0], resent[1], resent[2]);
            finalReads(deadline);
        }
        progress.printf(Locale.ROOT, "[%5.1fs] done: %s%n", history.elapsedNanos() / 1e9, history.counts());
        if (recoveryFailure() != null) {
            progress.println("NOT RECOVERED: " + recoveryFailure());
        }
        return history;
    }

    /** Indeterminate writes resent after the final heal: how many took effect only then, had before, stayed undecided. */
    public int[] resent() {
        return resent.clone();
    }

    /**
     * Why the cluster did not serve again after the final heal, or did not get its full membership
     * back (the recovery check would then judge a smaller cluster than the one the run started with);
     * null when it did both.
     */
    public String recoveryFailure() {
        return recoveryFailure != null ? recoveryFailure : notRestored;
    }

    private void clientLoop(int firstProcess) {
        SplittableRandom random = new SplittableRandom(options.seed() * 31 + firstProcess);
        int process = firstProcess;
        long clientId = process + 1L;
        long sequence = 0;
        List<String> nodes = cluster.nodes();
        while (!stop.get()) {
            Invocation op = workload.next(random);
            String endpoint = cluster.endpoint(nodes.get(random.nextInt(nodes.size())));
            // One exactly-once session per process: a process retires after an info, so the session's
            // last request is the one a resend repeats.
            Session session = new Session(clientId, ++sequence);
            history.add(process, "invoke", op.f(), op.key(), op.value(), null);
            KvResult result = op.f().equals("read") ? read(endpoint, op.key()) : mutate(endpoint, op, session);
            Object value = completedValue(op, result);
            Recorded completion = history.add(process, result.outcome().name().toLowerCase(Locale.ROOT), op.f(), op.key(),
                    value, result.error());
            if (result.outcome() == Outcome.OK) {
                workload.observe(op.key(), op.f().equals("cas") ? (String) ((List<?>) op.value()).get(1) : (String) value);
            }
            if (result.outcome() == Outcome.INFO) {
                if (!op.f().equals("read")) {
                    indeterminate.add(completion, op, session);
                }
                process += options.concurrency(); // a crashed process never returns: continue as a new one
                clientId = process + 1L;
                sequence = 0;
            } else if (result.status() == 409 && result.error() != null && result.error().contains("session-expired")) {
                // The store keeps no session for this client (its first request was never applied, or
                // the session was evicted) and refuses every later sequence, not applied. Without a new
                // client id this process would fail every write for the rest of the run (measured: no
                // write succeeded after the first kill). The process stays; only its session is new.
                clientId = FRESH_CLIENT_IDS.incrementAndGet();
                sequence = 0;
            }
            if (!result.answered()) {
                sleepQuietly(NO_ANSWER_PAUSE_MILLIS);
            } else if (result.status() == 503) {
                sleepQuietly(UNAVAILABLE_PAUSE_MILLIS);
            }
        }
    }

    private KvResult read(String endpoint, String key) {
        KvResult r = client.read(endpoint, key, options.staleReads());
        if (r.outcome() != Outcome.OK && options.plantedBug() == PlantedBug.MINORITY_SERVES) {
            r = client.read(endpoint, key, true); // the planted bug: no leader to ask, so answer from here
        }
        return r;
    }

    private KvResult mutate(String endpoint, Invocation op, Session session) {
        return switch (op.f()) {
            case "write" -> client.write(endpoint, op.key(), (String) op.value(), session);
            case "cas" -> {
                List<?> v = (List<?>) op.value();
                // The workload's name for absence means "must be absent", which the API spells null.
                String expected = Objects.equals(v.get(0), workload.absent()) ? null : (String) v.get(0);
                yield client.cas(endpoint, op.key(), expected, (String) v.get(1), session);
            }
            case "add" -> client.write(endpoint, "s" + op.value(), (String) op.value(), session);
            default -> throw new IllegalArgumentException("unknown operation " + op.f());
        };
    }

    private Object completedValue(Invocation op, KvResult result) {
        if (op.f().equals("read")) {
            return result.outcome() == Outcome.OK ? readValue(workload, result) : null;
        }
        return op.value();
    }

    /** What a successful read saw: its value, or the workload's name for "no such key". */
    static Object readValue(Workload workload, KvResult result) {
        return result.value() != null ? result.value() : workload.absent();
    }

    /**
     * After the resends: the register workload reads every key used, the set workload every element
     * attempted, each retried until {@code deadline}. The reads are recorded and checked like any
     * other operation, so a write the crash lost shows up here too.
     */
    private void finalReads(long deadline) {
        int process = Integer.MAX_VALUE / 2;
        if (workload instanceof SetWorkload set) {
            finalSetRead(set, process, deadline);
            return;
        }
        for (Invocation read : workload.finalReads()) {
            KvResult r = readUntil(deadline, read.key(), process);
            if (r.outcome() != Outcome.OK) {
                recoveryFailure = "no read of " + read.key() + " succeeded within " + options.recoveryTimeout().toSeconds()
                        + " s after the final heal and quiet period; last error: " + r.error();
                return;
            }
        }
    }

    /**
     * Reads {@code key} until one read succeeds or the deadline passes, recording each attempt as
     * {@code recordAs} unless that is null. Reads go to the leader (or any node) found once; only a
     * failed read looks again, so thousands of set elements do not each cost a round of status probes.
     */
    private KvResult readUntil(long deadline, String key, Integer recordAs) {
        while (true) {
            if (finalEndpoint == null) {
                List<String> nodes = cluster.nodes();
                finalEndpoint = cluster.endpoint(cluster.leader().orElse(nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()))));
            }
            if (recordAs != null) {
                history.add(recordAs, "invoke", "read", key, null, null);
            }
            KvResult r = client.read(finalEndpoint, key, false);
            if (recordAs != null) {
                history.add(recordAs, r.outcome() == Outcome.OK ? "ok" : "fail", "read", key,
                        r.outcome() == Outcome.OK ? readValue(workload, r) : null, r.error());
            }
            if (r.outcome() == Outcome.OK) {
                return r;
            }
            finalEndpoint = null;
            if (System.nanoTime() > deadline) {
                return r;
            }
            sleepQuietly(250);
        }
    }

    /** The set workload's final read: every attempted element, one read each, recorded as one read of the set. */
    private void finalSetRead(SetWorkload set, int process, long deadline) {
        history.add(process, "invoke", "read", "set", null, null);
        TreeSet<Long> found = new TreeSet<>();
        for (long x = 0; x < set.attempted(); x++) {
            KvResult r = readUntil(deadline, "s" + x, null);
            if (r.outcome() != Outcome.OK) {
                history.add(process, "fail", "read", "set", null, "final read of element " + x + " failed: " + r.error());
                recoveryFailure = "the final read of set element " + x + " did not succeed within "
                        + options.recoveryTimeout().toSeconds() + " s after the final heal; last error: " + r.error();
                return;
            }
            if (r.value() != null) {
                found.add(Long.parseLong(r.value()));
            }
        }
        history.add(process, "ok", "read", "set", List.copyOf(found), null);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
