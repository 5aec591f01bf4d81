package io.raftkit.verifier.report;

import io.raftkit.verifier.runner.Recorded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pairs a history's events into operations and draws {@code timeline.html}: one section per key,
 * one lane per process, a bar per operation coloured by how it ended, fault intervals shaded, and
 * the operation the checker could not linearize highlighted and linked from the top of the page.
 */
public final class Timeline {

    private Timeline() {
    }

    /** Invocations paired with their completions by process, in invocation order. */
    public static List<Operation> pair(List<Recorded> events) {
        Map<Object, Recorded> open = new HashMap<>();
        List<Operation> ops = new ArrayList<>();
        Map<Recorded, Integer> position = new HashMap<>();
        for (Recorded e : events) {
            if (!(e.process() instanceof Integer)) {
                continue;
            }
            if (e.type().equals("invoke")) {
                open.put(e.process(), e);
                position.put(e, ops.size());
                ops.add(new Operation(e, null));
            } else {
                Recorded inv = open.remove(e.process());
                if (inv != null) {
                    ops.set(position.get(inv), new Operation(inv, e));
                }
            }
        }
        return ops;
    }

    /** The nemesis' fault spans, from its start/stop events. */
    public static List<FaultInterval> faults(List<Recorded> events, long runEndNanos) {
        List<FaultInterval> out = new ArrayList<>();
        Recorded start = null;
        for (Recorded e : events) {
            if (!"nemesis".equals(e.process())) {
                continue;
            }
            if (e.f().equals("start")) {
                start = e;
            } else if (e.f().equals("stop") && start != null) {
                out.add(new FaultInterval(start.timeNanos(), e.timeNanos(), String.valueOf(start.value())));
                start = null;
            }
        }
        if (start != null) {
            out.add(new FaultInterval(start.timeNanos(), runEndNanos, String.valueOf(start.value())));
        }
        return out;
    }

    /**
     * @param failingIndex the history index (of the invocation or completion) of the operation the
     *                     checker could not linearize, or -1
     */
    public static String html(List<Recorded> events, String verdict, long failingIndex) {
        long end = events.isEmpty() ? 1 : Math.max(1, events.get(events.size() - 1).timeNanos());
        List<Operation> ops = pair(events);
        List<FaultInterval> faults = faults(events, end);
        TreeMap<String, List<Operation>> byKey = new TreeMap<>();
        for (Operation op : ops) {
            byKey.computeIfAbsent(String.valueOf(op.invoke().key()), k -> new ArrayList<>()).add(op);
        }
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>RaftKit verification timeline</title><style>")
                .append("body{font:13px sans-serif;margin:16px}.lane{position:relative;height:16px;border-bottom:1px solid #eee}")
                .append(".lbl{position:absolute;left:0;width:70px;color:#666}.area{position:absolute;left:75px;right:0;top:0;bottom:0}")
                .append(".op{position:absolute;height:12px;top:2px;border-radius:2px;opacity:.85}.ok{background:#3a3}.fail{background:#c33}")
                .append(".info{background:#e90}.bad{outline:3px solid #00f;z-index:5}.fault{position:absolute;top:0;bottom:0;background:rgba(120,120,120,.15)}")
                .append("h2{margin-top:24px}.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}</style></head><body>");
        h.append("<h1>Timeline</h1><p>Verdict: <b>").append(escape(verdict)).append("</b>");
        if (failingIndex >= 0) {
            h.append(" &mdash; <a href=\"#op-").append(failingIndex).append("\">jump to the operation that cannot be linearized</a>");
        }
        h.append("</p><p class=\"legend\"><span class=\"ok\">ok</span><span class=\"fail\">fail</span><span class=\"info\">info</span>")
                .append(" grey bands: faults; blue outline: the failing operation</p><ul>");
        for (FaultInterval f : faults) {
            h.append(String.format(Locale.ROOT, "<li>%.1f s to %.1f s: %s</li>", f.startNanos() / 1e9, f.endNanos() / 1e9, escape(f.description())));
        }
        h.append("</ul>");
        for (Map.Entry<String, List<Operation>> key : byKey.entrySet()) {
            h.append("<h2>key ").append(escape(key.getKey())).append("</h2>");
            TreeSet<Integer> processes = new TreeSet<>();
            key.getValue().forEach(op -> processes.add((Integer) op.invoke().process()));
            for (Integer p : processes) {
                h.append("<div class=\"lane\"><span class=\"lbl\">process ").append(p).append("</span><div class=\"area\">");
                for (FaultInterval f : faults) {
                    h.append(bar("fault", f.startNanos(), f.endNanos(), end, null, null));
                }
                for (Operation op : key.getValue()) {
                    if (!p.equals(op.invoke().process())) {
                        continue;
                    }
                    boolean bad = op.invoke().index() == failingIndex
                            || (op.completion() != null && op.completion().index() == failingIndex);
                    String title = op.invoke().f() + " " + op.invoke().value() + " -> " + op.type()
                            + (op.completion() != null ? " " + op.completion().value() : "")
                            + (op.completion() != null && op.completion().error() != null ? " (" + op.completion().error() + ")" : "");
                    h.append(bar("op " + op.type() + (bad ? " bad" : ""), op.startNanos(), op.endNanos(end), end, title,
                            bad ? "op-" + failingIndex : null));
                }
                h.append("</div></div>");
            }
        }
        return h.append("</body></html>").toString();
    }

    private static String bar(String css, long start, long stop, long end, String title, String id) {
        double left = 100.0 * start / end;
        double width = Math.max(0.15, 100.0 * (stop - start) / end);
        return String.format(Locale.ROOT, "<div class=\"%s\"%s%s style=\"left:%.3f%%;width:%.3f%%\"></div>", css,
                id == null ? "" : " id=\"" + id + "\"", title == null ? "" : " title=\"" + escape(title) + "\"", left, width);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
