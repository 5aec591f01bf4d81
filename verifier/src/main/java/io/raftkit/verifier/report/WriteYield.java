package io.raftkit.verifier.report;

import io.raftkit.verifier.runner.Recorded;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many of a run's writes the system applied. A history in which nearly every write was refused
 * is trivially linearizable and tests almost nothing: a run whose clients were stuck on an expired
 * session (measured: no write applied after the first kill) passed as "valid" and let a planted bug
 * through. So the summary says so when it happens, with the commonest refusal.
 */
record WriteYield(long attempted, long applied, String commonestRefusal, long commonestCount) {

    /** Below this share of applied writes (and with enough writes to judge) the summary warns. */
    static final double WARN_BELOW = 0.25;
    static final long MIN_WRITES = 100;

    static WriteYield of(List<Recorded> events) {
        Map<Object, Recorded> open = new LinkedHashMap<>();
        Map<String, Long> refusals = new TreeMap<>();
        long attempted = 0;
        long applied = 0;
        for (Recorded e : events) {
            if (!(e.process() instanceof Integer) || e.f() == null || e.f().equals("read")) {
                continue; // reads, and the nemesis
            }
            if (e.type().equals("invoke")) {
                open.put(e.process(), e);
                continue;
            }
            if (open.remove(e.process()) == null) {
                continue;
            }
            attempted++;
            if (e.type().equals("ok")) {
                applied++;
            } else if (e.type().equals("fail") && e.error() != null) {
                String error = e.error();
                int colon = error.indexOf(':');
                refusals.merge(colon > 0 ? error.substring(0, colon) : error, 1L, Long::sum);
            }
        }
        Map.Entry<String, Long> top = refusals.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
        return new WriteYield(attempted, applied, top == null ? null : top.getKey(), top == null ? 0 : top.getValue());
    }

    /** A warning line when the run applied too few of its writes to test much, else null. */
    String warning() {
        if (attempted < MIN_WRITES || applied >= WARN_BELOW * attempted) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "warning: only %d of %d writes were applied (%.0f %%): a history of refused"
                        + " writes is easily linearizable and tests little%s", applied, attempted, 100.0 * applied / attempted,
                commonestRefusal == null ? "" : "; commonest refusal: " + commonestRefusal + " (" + commonestCount + ")");
    }
}
