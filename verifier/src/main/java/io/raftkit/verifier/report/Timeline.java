package io.raftkit.verifier.report;

import io.raftkit.verifier.checker.KeyResult;
import io.raftkit.verifier.runner.Recorded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pairs a history's events into operations and draws {@code timeline.html}: for an invalid history
 * first a zoomed view of the failing window (the failing key's operations from the start of the
 * longest linearizable prefix's last steps to the operation that cannot follow them, with the
 * prefix's order and states), then one section per key, one lane per process, a bar per operation
 * coloured by how it ended, fault spans shaded, and a time axis in seconds on each.
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

    /**
     * The nemesis' fault spans: each start paired with the stop of the same description (faults
     * overlap, so starts and stops interleave); one never stopped lasts to the end of the run.
     */
    public static List<FaultInterval> faults(List<Recorded> events, long runEndNanos) {
        List<FaultInterval> out = new ArrayList<>();
        Map<String, Recorded> open = new LinkedHashMap<>();
        for (Recorded e : events) {
            if (!"nemesis".equals(e.process())) {
                continue;
            }
            String what = String.valueOf(e.value());
            if (e.f().equals("start")) {
                open.put(what, e);
            } else if (e.f().equals("stop") && open.containsKey(what)) {
                out.add(new FaultInterval(open.remove(what).timeNanos(), e.timeNanos(), what));
            }
        }
        open.forEach((what, start) -> out.add(new FaultInterval(start.timeNanos(), runEndNanos, what)));
        out.sort(java.util.Comparator.comparingLong(FaultInterval::startNanos));
        return out;
    }

    /** A time window of the run and where bars go in it. */
    private record Window(long from, long to) {
        double left(long t) {
            return 100.0 * (Math.max(from, Math.min(to, t)) - from) / Math.max(1, to - from);
        }

        double width(long a, long b) {
            return Math.max(0.15, left(b) - left(a));
        }
    }

    public static String html(List<Recorded> events, String verdict, long failingIndex) {
        return html(events, verdict, failingIndex, null);
    }

    /**
     * @param failingIndex the history index (of the invocation or completion) of the operation the
     *                     checker could not linearize, or -1
     * @param failing      the invalid key's result (for the zoomed window), or null
     */
    public static String html(List<Recorded> events, String verdict, long failingIndex, KeyResult failing) {
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
                .append(".lbl{position:absolute;left:0;width:90px;color:#666}.area{position:absolute;left:95px;right:0;top:0;bottom:0}")
                .append(".op{position:absolute;height:12px;top:2px;border-radius:2px;opacity:.85}.ok{background:#3a3}.fail{background:#c33}")
                .append(".info{background:#e90}.bad{outline:3px solid #00f;z-index:5}.lin{outline:2px dashed #00f}")
                .append(".fault{position:absolute;top:0;bottom:0;background:rgba(120,120,120,.15)}")
                .append(".axis{position:relative;height:18px;border-bottom:1px solid #999;color:#444;font-size:11px}")
                .append(".tick{position:absolute;top:0;border-left:1px solid #999;padding-left:2px;height:17px}")
                .append(".zoom{border:2px solid #00f;padding:8px;margin:12px 0}pre{font-size:12px}")
                .append("h2{margin-top:24px}.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}</style></head><body>");
        h.append("<h1>Timeline</h1><p>Verdict: <b>").append(escape(verdict)).append("</b>");
        if (failingIndex >= 0) {
            h.append(" &mdash; <a href=\"#op-").append(failingIndex).append("\">jump to the operation that cannot be linearized</a>");
        }
        h.append("</p><p class=\"legend\"><span class=\"ok\">ok</span><span class=\"fail\">fail</span><span class=\"info\">info</span>")
                .append(" grey bands: faults; blue outline: the failing operation; dashed: the last steps of the longest linearizable prefix</p><ul>");
        for (FaultInterval f : faults) {
            h.append(String.format(Locale.ROOT, "<li>%.1f s to %.1f s: %s</li>", f.startNanos() / 1e9, f.endNanos() / 1e9, escape(f.description())));
        }
        h.append("</ul>");
        if (failing != null && failingIndex >= 0) {
            zoom(h, byKey.getOrDefault(String.valueOf(failing.key()), List.of()), faults, failing, failingIndex, end);
        }
        Window whole = new Window(0, end);
        for (Map.Entry<String, List<Operation>> key : byKey.entrySet()) {
            h.append("<h2>key ").append(escape(key.getKey())).append("</h2>");
            lanes(h, key.getValue(), faults, whole, failingIndex, Map.of(), end, "");
        }
        return h.append("</body></html>").toString();
    }

    /** The failing window, enlarged: from the first shown step of the longest linearizable prefix to the failing op. */
    private static void zoom(StringBuilder h, List<Operation> keyOps, List<FaultInterval> faults, KeyResult failing,
                             long failingIndex, long end) {
        Map<Long, Integer> steps = new HashMap<>();
        int n = 0;
        for (Map<String, Object> step : failing.linearizationSteps()) {
            if (step.get("invoke-position") instanceof Number p) {
                steps.put(p.longValue(), ++n);
            }
        }
        long from = Long.MAX_VALUE;
        long to = 0;
        for (Operation op : keyOps) {
            boolean bad = op.invoke().index() == failingIndex || (op.completion() != null && op.completion().index() == failingIndex);
            if (bad || steps.containsKey(op.invoke().index())) {
                from = Math.min(from, op.startNanos());
                to = Math.max(to, op.endNanos(end));
            }
        }
        if (from >= to) {
            return;
        }
        long margin = Math.max(1_000_000, (to - from) / 20);
        Window w = new Window(Math.max(0, from - margin), Math.min(end, to + margin));
        List<Operation> shown = keyOps.stream().filter(op -> op.endNanos(end) >= w.from() && op.startNanos() <= w.to()).toList();
        h.append("<div class=\"zoom\"><h2>Failing window: key ").append(escape(String.valueOf(failing.key())))
                .append(String.format(Locale.ROOT, ", %.3f s to %.3f s</h2>", w.from() / 1e9, w.to() / 1e9))
                .append("<p>The longest linearizable prefix ends with these steps (numbered on the bars), each with the state after it;")
                .append(" the operation after them cannot be placed in any state the prefix could have left:</p><pre>");
        int i = 0;
        for (String line : failing.partialLinearization()) {
            h.append(line.startsWith("then") ? "" : (++i) + ". ").append(escape(line)).append('\n');
        }
        h.append("</pre>");
        lanes(h, shown, faults, w, failingIndex, steps, end, "z");
        h.append("</div>");
    }

    private static void lanes(StringBuilder h, List<Operation> ops, List<FaultInterval> faults, Window w, long failingIndex,
                              Map<Long, Integer> steps, long end, String idPrefix) {
        axis(h, w);
        TreeSet<Integer> processes = new TreeSet<>();
        ops.forEach(op -> processes.add((Integer) op.invoke().process()));
        for (Integer p : processes) {
            h.append("<div class=\"lane\"><span class=\"lbl\">process ").append(p).append("</span><div class=\"area\">");
            for (FaultInterval f : faults) {
                if (f.endNanos() >= w.from() && f.startNanos() <= w.to()) {
                    h.append(bar("fault", w, f.startNanos(), f.endNanos(), f.description(), null, null));
                }
            }
            for (Operation op : ops) {
                if (!p.equals(op.invoke().process())) {
                    continue;
                }
                boolean bad = op.invoke().index() == failingIndex
                        || (op.completion() != null && op.completion().index() == failingIndex);
                Integer step = steps.get(op.invoke().index());
                String title = op.invoke().f() + " " + op.invoke().value() + " -> " + op.type()
                        + (op.completion() != null ? " " + op.completion().value() : "")
                        + (op.completion() != null && op.completion().error() != null ? " (" + op.completion().error() + ")" : "");
                h.append(bar("op " + op.type() + (bad ? " bad" : step != null ? " lin" : ""), w, op.startNanos(), op.endNanos(end),
                        title, bad && idPrefix.isEmpty() ? "op-" + failingIndex : null, step == null ? null : step.toString()));
            }
            h.append("</div></div>");
        }
    }

    /** Tick marks at a round step (1, 2 or 5 times a power of ten), about ten across. */
    private static void axis(StringBuilder h, Window w) {
        double span = (w.to() - w.from()) / 1e9;
        double step = Math.pow(10, Math.floor(Math.log10(Math.max(1e-6, span / 10))));
        if (span / step > 50) {
            step *= 5;
        } else if (span / step > 20) {
            step *= 2;
        }
        h.append("<div class=\"lane\" style=\"height:18px\"><span class=\"lbl\">time (s)</span><div class=\"area axis\">");
        String format = step >= 1 ? "%.0f" : step >= 0.1 ? "%.1f" : step >= 0.01 ? "%.2f" : "%.3f";
        for (double t = Math.ceil(w.from() / 1e9 / step) * step; t <= w.to() / 1e9; t += step) {
            h.append(String.format(Locale.ROOT, "<div class=\"tick\" style=\"left:%.3f%%\">" + format + "</div>", w.left((long) (t * 1e9)), t));
        }
        h.append("</div></div>");
    }

    private static String bar(String css, Window w, long start, long stop, String title, String id, String label) {
        return String.format(Locale.ROOT, "<div class=\"%s\"%s%s style=\"left:%.3f%%;width:%.3f%%\">%s</div>", css,
                id == null ? "" : " id=\"" + id + "\"", title == null ? "" : " title=\"" + escape(title) + "\"", w.left(start),
                w.width(start, stop), label == null ? "" : "<small style=\"color:#fff;padding-left:2px\">" + label + "</small>");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
