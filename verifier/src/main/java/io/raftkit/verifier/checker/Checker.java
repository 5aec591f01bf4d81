package io.raftkit.verifier.checker;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Models;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checks histories for linearizability with the Clojure search in {@code raftkit.checker}, one key
 * at a time (P-compositionality: a history is linearizable iff each key's is), keys in parallel on
 * a bounded pool. The first invalid key cancels the rest; a per-key time limit and a cap on the
 * search's memo (sized from the heap) turn a search that would hang or exhaust memory into
 * {@code unknown}.
 */
public final class Checker {

    private static final IFn CHECK_KEY;
    private static final IFn SPLIT_BY_KEY;
    private static final IFn VALIDATE;

    static {
        // In a child class loader (a plugin, a test runner) Clojure resolves namespaces through the
        // context class loader: make it ours while loading.
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Checker.class.getClassLoader());
        try {
            Clojure.var("clojure.core", "require").invoke(Clojure.read("raftkit.checker.core"));
            CHECK_KEY = Clojure.var("raftkit.checker.core", "check-key");
            SPLIT_BY_KEY = Clojure.var("raftkit.checker.core", "split-by-key");
            VALIDATE = Clojure.var("raftkit.checker.core", "validate");
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** Loads the Clojure namespaces (the static initializer does the work). */
    static void load() {
    }

    /** The models the search knows (raftkit.checker.models), and the set checker. */
    public static final List<String> MODELS = List.of("register", "cas-register", "multi-register", "mutex", "set");

    /** A built-in model's name (a String) or a Java {@link Model}: the Clojure side takes either. */
    private final Object model;
    private final Object initial;
    private final Duration perKeyLimit;
    private final int threads;

    /**
     * @param initial the model's initial value (a Clojure value: use {@link HistoryFiles#parseInitial})
     */
    public Checker(String model, Object initial, Duration perKeyLimit) {
        this(model, initial, perKeyLimit, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Checks against a Java step function ({@link Model}): the same search, validation, per-key
     * parallelism and limits as the built-in models, without the register-only pruning.
     */
    public Checker(Model<?> model, Duration perKeyLimit) {
        this.model = java.util.Objects.requireNonNull(model, "model");
        this.initial = null; // a Java model gives its own initial state
        this.perKeyLimit = perKeyLimit;
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The checker for a model name: a built-in ({@link #MODELS}) when the name is one, else a Java
     * model found by {@link Models#named} (counter, queue, or a user's own).
     */
    public static Checker forName(String model, Object initial, Duration perKeyLimit) {
        if (MODELS.contains(model)) {
            return new Checker(model, initial, perKeyLimit);
        }
        if (!Models.exists(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "': choose one of " + MODELS
                    + ", or a Java model on the class path (" + Models.names() + ")");
        }
        return new Checker(Models.named(model), perKeyLimit);
    }

    /**
     * The checker for a workload's Java {@link Model}, as {@code raft-verifier check --model} picks one
     * by name: a model named like a built-in ({@link #MODELS}: the ready-made register and CAS
     * register, the set) is checked by the built-in, with the model's initial value
     * ({@link #initialValue}). The built-ins are the same specifications, plus the pruning of
     * {@code raftkit.checker.prune} for registers (sound for any register history; decisive with
     * unique values) and the set checker's one pass over a history of unique adds and a final read.
     */
    public static Checker forModel(Model<?> model, Duration perKeyLimit) {
        if (MODELS.contains(model.name())) {
            return new Checker(model.name(), initialValue(model), perKeyLimit);
        }
        return new Checker(model, perKeyLimit);
    }

    /** A register model's initial value (what a report's re-check passes as {@code --initial}); null for any other. */
    public static Object initialValue(Model<?> model) {
        return model instanceof io.raftkit.verifier.model.RegisterModel r ? r.initialValue() : null;
    }

    public Checker(String model, Object initial, Duration perKeyLimit, int threads) {
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "': choose one of " + MODELS);
        }
        this.model = model;
        this.initial = initial;
        this.perKeyLimit = perKeyLimit;
        this.threads = threads;
    }

    /**
     * The memo bytes one key's search may use when {@code parallel} keys are searched at once: half
     * the heap left free, shared. The search charges each configuration what it costs (see
     * {@code raftkit.checker.wgl/config-bytes}), so the budget is reached before the heap runs out;
     * the other half is for the history itself and the explanation.
     */
    static long memoBudgetBytes(int parallel) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return Math.max(1L << 20, free / 2 / Math.max(1, parallel));
    }

    /**
     * Checks normalized events (from {@link HistoryFiles}). A history whose events do not pair up
     * (a double invoke, a completion with no invocation) or that uses functions the model lacks is
     * refused with an {@link IllegalArgumentException} naming the line, before any search.
     */
    @SuppressWarnings("unchecked")
    public CheckResult check(Object events) {
        long start = System.nanoTime();
        VALIDATE.invoke(events, model);
        List<List<Object>> keys = (List<List<Object>>) SPLIT_BY_KEY.invoke(events);
        AtomicBoolean cancel = new AtomicBoolean();
        long maxBytes = memoBudgetBytes(Math.min(threads, keys.size()));
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, keys.size()), r -> {
            Thread t = new Thread(r, "checker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<KeyResult>> futures = new ArrayList<>();
            for (List<Object> slice : keys) {
                Object key = slice.get(0);
                Object keyEvents = slice.get(1);
                futures.add(pool.submit(() -> {
                    long deadline = System.nanoTime() + perKeyLimit.toNanos();
                    Map<String, Object> detail;
                    try {
                        detail = (Map<String, Object>) CHECK_KEY.invoke(keyEvents, model, initial, cancel, deadline, maxBytes);
                    } catch (OutOfMemoryError e) {
                        // outside the search proper (splitting the history, the explanation): still a verdict
                        return new KeyResult(key, Verdict.UNKNOWN, Map.of("valid", "unknown",
                                "reason", "out of memory while checking this key; raise -Xmx, or rotate keys sooner"));
                    }
                    Verdict verdict = switch ((String) detail.get("valid")) {
                        case "true" -> Verdict.VALID;
                        case "false" -> Verdict.INVALID;
                        default -> Verdict.UNKNOWN;
                    };
                    if (verdict == Verdict.INVALID) {
                        cancel.set(true);
                    }
                    return new KeyResult(key, verdict, detail);
                }));
            }
            List<KeyResult> results = new ArrayList<>();
            for (Future<KeyResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the checker failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while checking", e);
                }
            }
            Verdict overall = results.stream().anyMatch(r -> r.verdict() == Verdict.INVALID) ? Verdict.INVALID
                    : results.stream().anyMatch(r -> r.verdict() == Verdict.UNKNOWN) ? Verdict.UNKNOWN : Verdict.VALID;
            if (overall == Verdict.INVALID) {
                // keys cancelled because another was invalid are not evidence of anything
                results.removeIf(r -> r.verdict() == Verdict.UNKNOWN && String.valueOf(r.detail().get("reason")).startsWith("cancelled"));
            }
            return new CheckResult(overall, results, (System.nanoTime() - start) / 1_000_000);
        } finally {
            pool.shutdownNow();
        }
    }
}
