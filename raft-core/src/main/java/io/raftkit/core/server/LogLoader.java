package io.raftkit.core.server;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the LogStore's entries into the heap at start, and estimates what they take there. A
 * restart replays every entry above the compacted prefix (the snapshot policy bounds them), and
 * the in-memory log evicts them to its cache once applied; the heap check here is the last resort
 * for a log that a node without snapshots let grow past the heap.
 */
final class LogLoader {

    private static final System.Logger LOG = System.getLogger(RaftServer.class.getName());
    /** Small enough that the heap check below runs long before a batch could exhaust the heap. */
    private static final long READ_BATCH_BYTES = 4L * 1024 * 1024;
    /**
     * Heap a loaded entry takes beyond its payload: the LogEntry, the array header, the list slot
     * (measured on a KV node: about 230 bytes per 135-byte command).
     */
    static final long ENTRY_HEAP_OVERHEAD = 96;
    /** The same overhead beyond {@link LogEntry#sizeInBytes()}, which counts 24 bytes of header already. */
    static final long ENTRY_OVERHEAD_BEYOND_SIZE = ENTRY_HEAP_OVERHEAD - 24;

    record Loaded(List<LogEntry> entries, long heapBytes) {
    }

    private LogLoader() {
    }

    static long heapCost(int payloadBytes) {
        return payloadBytes + ENTRY_HEAP_OVERHEAD;
    }

    static Loaded load(NodeId self, LogStore logStore, long maxHeapBytes) throws IOException {
        long first = logStore.firstIndex();
        long last = logStore.lastIndex();
        List<LogEntry> entries = new ArrayList<>((int) Math.min(Math.max(last - first + 1, 0), 1 << 20));
        long heapBytes = 0;
        try {
            for (long from = first; from <= last; ) {
                List<LogEntry> batch = logStore.entries(from, last, READ_BATCH_BYTES);
                if (batch.isEmpty()) {
                    throw new IOException("log store returned no entries at " + from + " though its last index is " + last);
                }
                for (LogEntry e : batch) {
                    heapBytes += heapCost(e.payload().length);
                }
                // Refuse before the JVM runs out: the rest of the node needs heap too. The margin
                // over the write limit lets a node that was refusing writes start again as it was.
                if (heapBytes > maxHeapBytes / 10 * 9) {
                    throw new IOException(tooLargeForHeap(self, first, last, heapBytes, maxHeapBytes));
                }
                entries.addAll(batch);
                from += batch.size();
            }
        } catch (OutOfMemoryError e) {
            // A backstop for heaps the check above misjudges; the entries loaded so far are
            // garbage once this frame is gone, so the node can still report and close.
            throw new IOException(tooLargeForHeap(self, first, last, heapBytes, maxHeapBytes), e);
        }
        if (heapBytes > maxHeapBytes / 2) {
            LOG.log(Level.WARNING, "{0}: the log takes about {1} MB of the {2} MB heap and grows with every write"
                    + " until a snapshot compacts it; give the node a larger -Xmx, or snapshots, before it fills", self,
                    Long.toString(heapBytes >> 20), Long.toString(maxHeapBytes >> 20));
        }
        return new Loaded(entries, heapBytes);
    }

    private static String tooLargeForHeap(NodeId self, long first, long last, long heapBytes, long maxHeapBytes) {
        return String.format("the log of %s (entries %d to %d) does not fit in this JVM's heap: %d MB loaded when"
                + " the limit was reached, of a %d MB maximum. Start the node with a larger -Xmx (the log above the"
                + " last snapshot is kept in memory); nothing on disk was changed",
                self, first, last, heapBytes >> 20, maxHeapBytes >> 20);
    }
}
