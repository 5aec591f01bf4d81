package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.core.Ready;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogWriterTest {

    /** Records each call; the first append blocks until released, so later Readys queue up behind it. */
    private static class RecordingStore implements LogStore {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch firstAppendStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile IOException failWith;

        @Override
        public void append(List<LogEntry> entries) throws IOException {
            if (failWith != null) {
                throw failWith;
            }
            calls.add("append " + entries.get(0).index() + ".." + entries.get(entries.size() - 1).index());
            if (firstAppendStarted.getCount() > 0) {
                firstAppendStarted.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void saveHardState(HardState state) {
            calls.add("hard state term " + state.term());
        }

        @Override
        public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
            return List.of();
        }

        @Override
        public long term(long index) {
            return 0;
        }

        @Override
        public long firstIndex() {
            return 1;
        }

        @Override
        public long lastIndex() {
            return 0;
        }

        @Override
        public HardState loadHardState() {
            return HardState.INITIAL;
        }

        @Override
        public void compact(long index) {
        }

        @Override
        public void reset(long index, long term) {
        }

        @Override
        public void close() {
        }
    }

    private static Ready ready(HardState hardState, long first, long last, long term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long i = first; i <= last; i++) {
            entries.add(LogEntry.command(i, term, new byte[] {1}));
        }
        return new Ready(hardState, entries, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void readysQueuedDuringAWriteGoOutAsOneAppendThenTheNewestHardStateInSubmissionOrder() throws Exception {
        RecordingStore store = new RecordingStore();
        LinkedBlockingQueue<List<Ready>> durable = new LinkedBlockingQueue<>();
        LogWriter writer = new LogWriter(store, Platform.threads().worker("test-writer"), durable::add, e -> { });
        Ready first = ready(null, 1, 2, 1);
        writer.submit(first);
        assertThat(store.firstAppendStarted.await(5, TimeUnit.SECONDS)).isTrue();
        Ready second = ready(new HardState(2, NodeId.of("n1"), 0), 3, 4, 2);
        Ready third = ready(null, 5, 5, 2);
        Ready fourth = ready(new HardState(3, null, 0), 4, 4, 3); // a truncation back to 4
        writer.submit(second);
        writer.submit(third);
        writer.submit(fourth);
        store.release.countDown();

        assertThat(durable.poll(5, TimeUnit.SECONDS)).containsExactly(first);
        assertThat(durable.poll(5, TimeUnit.SECONDS)).containsExactly(second, third, fourth);
        assertThat(store.calls).containsExactly("append 1..2", "append 3..5", "append 4..4", "hard state term 3");
        writer.close();
    }

    @Test
    void aFailedWriteIsReportedAndNothingIsReportedDurable() throws Exception {
        RecordingStore store = new RecordingStore();
        store.failWith = new IOException("disk full");
        LinkedBlockingQueue<List<Ready>> durable = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        LogWriter writer = new LogWriter(store, Platform.threads().worker("test-writer"), durable::add, failures::add);
        writer.submit(ready(null, 1, 1, 1));
        assertThat(failures.poll(5, TimeUnit.SECONDS)).hasMessage("disk full");
        writer.submit(ready(null, 2, 2, 1));
        assertThat(durable.poll(200, TimeUnit.MILLISECONDS)).isNull();
        writer.close();
    }

    /** Issue 21: everything queued during a slow write went into one append, however big (the mapdb store refuses over 256 MiB). */
    @Test
    void aQueueThatGrewDuringASlowWriteIsWrittenInAppendsNoBiggerThanTheCap() throws Exception {
        RecordingStore store = new RecordingStore();
        LinkedBlockingQueue<List<Ready>> durable = new LinkedBlockingQueue<>();
        LogWriter writer = new LogWriter(store, 50, Platform.threads().worker("test-writer"), durable::add, e -> { });
        writer.submit(ready(null, 1, 1, 1));
        assertThat(store.firstAppendStarted.await(5, TimeUnit.SECONDS)).isTrue();
        for (long i = 2; i <= 9; i++) {
            writer.submit(ready(null, i, i, 1)); // 25 bytes each as LogEntry counts them: two per append
        }
        store.release.countDown();
        assertThat(durable.poll(5, TimeUnit.SECONDS)).hasSize(1);
        assertThat(durable.poll(5, TimeUnit.SECONDS)).hasSize(8);
        assertThat(store.calls).containsExactly("append 1..1", "append 2..3", "append 4..5", "append 6..7", "append 8..9");
        writer.close();
    }

    /** Issue 21: a store that threw anything but an IOException killed the writer thread while the node went on. */
    @Test
    void aStoreThatThrowsAnythingIsReportedAsAFailureAndNothingMoreIsWritten() throws Exception {
        RecordingStore store = new RecordingStore() {
            @Override
            public void append(List<LogEntry> entries) {
                throw new IllegalStateException("bug in the store");
            }
        };
        LinkedBlockingQueue<List<Ready>> durable = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        LogWriter writer = new LogWriter(store, Platform.threads().worker("test-writer"), durable::add, failures::add);
        writer.submit(ready(null, 1, 1, 1));
        assertThat(failures.poll(5, TimeUnit.SECONDS)).hasMessage("bug in the store");
        writer.submit(ready(null, 2, 2, 1));
        assertThat(durable.poll(200, TimeUnit.MILLISECONDS)).isNull();
        writer.close();
    }
}
