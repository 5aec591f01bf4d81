package io.raftkit.api.spi;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SnapshotStore} that passes every call to another, for wrappers that change one or two
 * of them (fault injection, instrumentation): override the store's methods, and return a
 * {@link Builder} or {@link Receiver} subclass from {@link #create} or {@link #receive} to change
 * what happens at commit, at install or to a received chunk.
 */
public class ForwardingSnapshotStore implements SnapshotStore {

    protected final SnapshotStore delegate;

    /** @param delegate the store every call goes to; closed with this one */
    public ForwardingSnapshotStore(SnapshotStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<SnapshotMeta> latest() {
        return delegate.latest();
    }

    @Override
    public List<SnapshotMeta> list() {
        return delegate.list();
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        return delegate.create(lastIncludedIndex, lastIncludedTerm, config, kind);
    }

    @Override
    public SnapshotReader read(String id) throws IOException {
        return delegate.read(id);
    }

    @Override
    public InputStream openStream(String id) throws IOException {
        return delegate.openStream(id);
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        return delegate.receive(meta);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** A {@link SnapshotBuilder} that passes every call to another. */
    public static class Builder implements SnapshotBuilder {

        protected final SnapshotBuilder delegate;

        public Builder(SnapshotBuilder delegate) {
            this.delegate = delegate;
        }

        @Override
        public void put(byte[] key, byte[] value) throws IOException {
            delegate.put(key, value);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            delegate.write(bytes, offset, length);
        }

        @Override
        public SnapshotMeta commit() throws IOException {
            return delegate.commit();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /** A {@link SnapshotReceiver} that passes every call to another. */
    public static class Receiver implements SnapshotReceiver {

        protected final SnapshotReceiver delegate;

        public Receiver(SnapshotReceiver delegate) {
            this.delegate = delegate;
        }

        @Override
        public SnapshotMeta meta() {
            return delegate.meta();
        }

        @Override
        public long nextOffset() {
            return delegate.nextOffset();
        }

        @Override
        public boolean write(long offset, byte[] data) throws IOException {
            return delegate.write(offset, data);
        }

        @Override
        public SnapshotMeta install() throws IOException {
            return delegate.install();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
