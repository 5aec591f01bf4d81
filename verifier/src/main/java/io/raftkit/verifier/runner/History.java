package io.raftkit.verifier.runner;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's history, appended to by every client thread and the nemesis; indexes are assigned in
 * order. An indeterminate completion can later be {@linkplain #resolve resolved}: when a resend in
 * the same exactly-once session learns the operation's outcome, its completion moves to that moment.
 */
public final class History {

    private final long startNanos = System.nanoTime();
    private final List<Recorded> events = new ArrayList<>();
    private final Map<Recorded, Recorded> resolved = new IdentityHashMap<>();
    private long ok;
    private long fail;
    private long info;

    public synchronized Recorded add(Object process, String type, String f, String key, Object value, String error) {
        Recorded r = new Recorded(events.size(), System.nanoTime() - startNanos, process, type, f, key, value, error);
        events.add(r);
        count(r, 1);
        return r;
    }

    /**
     * Replaces the indeterminate completion {@code info} with {@code type} (ok or fail) at this
     * moment. Sound because the operation ran once, in its session: its effect, if any, fell between
     * its invocation and now, which is what an operation invoked then and completed now means. The
     * process retired when the operation ended info, so no later operation of it sits in between.
     */
    public synchronized Recorded resolve(Recorded info, String type, Object value, String note) {
        if (!info.type().equals("info") || resolved.containsKey(info)) {
            throw new IllegalArgumentException("only an unresolved info completion can be resolved: " + info);
        }
        Recorded r = new Recorded(events.size(), System.nanoTime() - startNanos, info.process(), type, info.f(), info.key(), value,
                note);
        events.add(r);
        resolved.put(info, r);
        count(info, -1);
        count(r, 1);
        return r;
    }

    private void count(Recorded r, int by) {
        switch (r.type()) {
            case "ok" -> ok += by;
            case "fail" -> fail += by;
            case "info" -> info += r.process() instanceof Integer ? by : 0;
            default -> { }
        }
    }

    /** The events, resolved completions in place of the info ones they replace, indexed by position. */
    public synchronized List<Recorded> events() {
        List<Recorded> out = new ArrayList<>(events.size());
        for (Recorded e : events) {
            if (!resolved.containsKey(e)) {
                out.add(out.size() == e.index() ? e : new Recorded(out.size(), e.timeNanos(), e.process(), e.type(), e.f(), e.key(),
                        e.value(), e.error()));
            }
        }
        return out;
    }

    public synchronized String counts() {
        return "ok=" + ok + " fail=" + fail + " info=" + info;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
