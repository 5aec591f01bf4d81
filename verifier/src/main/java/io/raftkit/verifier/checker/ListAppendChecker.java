package io.raftkit.verifier.checker;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checks list-append transaction histories (Jepsen's list-append workload: micro-ops
 * {@code [:append k v]} and {@code [:r k list]}) with the Elle-style checker in
 * {@code raftkit.checker.list-append}: version orders from the longest reads, a dependency graph of
 * ww, wr, rw and real-time edges, cycles named by Adya's classes, and the anomalies found per read
 * (aborted, intermediate and garbage reads, internal inconsistency, incompatible orders, duplicates).
 * Every class it reports is forbidden under strict serializability, so any of them makes the history
 * invalid. Unlike the WGL search, it runs in time near linear in the history.
 */
public final class ListAppendChecker {

    /** The names {@code check --model} accepts for this checker. */
    public static final List<String> MODELS = List.of("list-append", "elle-list-append");

    private static final IFn CHECK;

    static {
        Checker.load();
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(ListAppendChecker.class.getClassLoader());
        try {
            Clojure.var("clojure.core", "require").invoke(Clojure.read("raftkit.checker.list-append"));
            CHECK = Clojure.var("raftkit.checker.list-append", "check");
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * Checks normalized events (from {@link HistoryFiles#read}). A history whose events do not pair
     * up, whose micro-ops are malformed, whose ok completion does not match its invocation, or that
     * appends one value twice to a key is refused with an {@link IllegalArgumentException} naming
     * the line.
     */
    @SuppressWarnings("unchecked")
    public ListAppendResult check(Object events) {
        long start = System.nanoTime();
        Map<String, Object> detail = (Map<String, Object>) CHECK.invoke(events);
        Verdict verdict = switch ((String) detail.get("valid")) {
            case "true" -> Verdict.VALID;
            case "false" -> Verdict.INVALID;
            default -> Verdict.UNKNOWN;
        };
        return new ListAppendResult(verdict, detail, (System.nanoTime() - start) / 1_000_000);
    }

    /** Reads {@code file} (.edn or .jsonl) and checks it; a refusal names the file and the line. */
    public ListAppendResult check(Path file) throws IOException {
        Object events = HistoryFiles.read(file);
        try {
            return check(events);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
