package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the crash test's child does and what the parent expects: a model of the acknowledged
 * state, built from the child's {@code BEGIN}/{@code ACK} lines, that a reopened store must equal
 * exactly (or equal with the one operation in flight at the kill applied, since a kill can land
 * after the commit but before the acknowledgement is printed).
 */
final class CrashWorkload {

    static final int PAYLOAD_BYTES = 100;

    /** The payload of the entry at (index, term): the parent recomputes it to see the entry is intact. */
    static byte[] payload(long index, long term) {
        byte[] bytes = new byte[PAYLOAD_BYTES];
        long x = index * 0x9E3779B97F4A7C15L ^ term * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < bytes.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    static List<LogEntry> batch(long from, int count, long term) {
        List<LogEntry> list = new ArrayList<>(count);
        for (long i = from; i < from + count; i++) {
            list.add(LogEntry.command(i, term, payload(i, term)));
        }
        return list;
    }

    /** The acknowledged state of the store. */
    static final class Model {
        long firstIndex = 1;
        long compactedTerm;
        final TreeMap<Long, Long> terms = new TreeMap<>();
        HardState hardState = HardState.INITIAL;

        Model copy() {
            Model m = new Model();
            m.firstIndex = firstIndex;
            m.compactedTerm = compactedTerm;
            m.terms.putAll(terms);
            m.hardState = hardState;
            return m;
        }

        long lastIndex() {
            return terms.isEmpty() ? firstIndex - 1 : terms.lastKey();
        }

        /**
         * Applies one operation line: {@code A from count term}, {@code C index}, {@code H term vote commit},
         * {@code R index term} (a reset) or {@code S index term} (a snapshot, which leaves the log alone).
         */
        void apply(String op) {
            String[] f = op.split(" ");
            switch (f[0]) {
                case "A" -> {
                    long from = Long.parseLong(f[1]);
                    int count = Integer.parseInt(f[2]);
                    long term = Long.parseLong(f[3]);
                    terms.tailMap(from, true).clear();
                    for (long i = from; i < from + count; i++) {
                        terms.put(i, term);
                    }
                }
                case "C" -> {
                    long index = Long.parseLong(f[1]);
                    compactedTerm = terms.get(index);
                    terms.headMap(index, true).clear();
                    firstIndex = index + 1;
                }
                case "R" -> {
                    terms.clear();
                    firstIndex = Long.parseLong(f[1]) + 1;
                    compactedTerm = Long.parseLong(f[2]);
                }
                case "S" -> {
                    // a snapshot changes the snapshot store, not the log; the test checks it there
                }
                case "H" -> hardState = new HardState(Long.parseLong(f[1]),
                        f[2].equals("-") ? null : NodeId.of(f[2]), Long.parseLong(f[3]));
                default -> throw new AssertionError("unknown operation " + op);
            }
        }

        /** Null when {@code store} holds exactly this state, else what differs. */
        String differenceFrom(LogStore store) throws IOException {
            if (store.firstIndex() != firstIndex || store.lastIndex() != lastIndex()) {
                return "store holds " + store.firstIndex() + ".." + store.lastIndex() + ", expected " + firstIndex + ".." + lastIndex();
            }
            if (store.term(firstIndex - 1) != compactedTerm) {
                return "term at " + (firstIndex - 1) + " is " + store.term(firstIndex - 1) + ", expected " + compactedTerm;
            }
            if (!store.loadHardState().equals(hardState)) {
                return "hard state is " + store.loadHardState() + ", expected " + hardState;
            }
            List<LogEntry> stored = store.entries(firstIndex, lastIndex(), Long.MAX_VALUE);
            if (stored.size() != terms.size()) {
                return "read " + stored.size() + " entries, expected " + terms.size();
            }
            int i = 0;
            for (Map.Entry<Long, Long> expected : terms.entrySet()) {
                LogEntry e = stored.get(i++);
                LogEntry want = LogEntry.command(expected.getKey(), expected.getValue(), payload(expected.getKey(), expected.getValue()));
                if (!e.equals(want)) {
                    return "entry " + e + " differs from the acknowledged " + want;
                }
            }
            return null;
        }
    }

    private CrashWorkload() {
    }
}
