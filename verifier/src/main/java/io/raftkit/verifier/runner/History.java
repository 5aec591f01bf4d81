package io.raftkit.verifier.runner;

import java.util.ArrayList;
import java.util.List;

/** The run's history, appended to by every client thread and the nemesis; indexes are assigned in order. */
public final class History {

    private final long startNanos = System.nanoTime();
    private final List<Recorded> events = new ArrayList<>();
    private long ok;
    private long fail;
    private long info;

    public synchronized Recorded add(Object process, String type, String f, String key, Object value, String error) {
        Recorded r = new Recorded(events.size(), System.nanoTime() - startNanos, process, type, f, key, value, error);
        events.add(r);
        switch (type) {
            case "ok" -> ok++;
            case "fail" -> fail++;
            case "info" -> info += process instanceof Integer ? 1 : 0;
            default -> { }
        }
        return r;
    }

    public synchronized List<Recorded> events() {
        return List.copyOf(events);
    }

    public synchronized String counts() {
        return "ok=" + ok + " fail=" + fail + " info=" + info;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }
}
