package io.raftkit.core.progress;

import io.raftkit.api.SnapshotMeta;

/**
 * A leader's transfer of one snapshot to one follower (§7, thesis §5.3): which bytes of the
 * snapshot's transfer stream were asked for, which the follower holds, and a bounded window of
 * chunks between the two.
 *
 * <p>The follower takes only the chunk that starts where its bytes end and answers every chunk with
 * that offset; a chunk lost, duplicated or overtaken is ignored there. So the leader advances on
 * any answer above what it knew, and when the follower gains nothing for {@code stallTicks} it goes
 * back to the follower's latest answer and resends from there (that also restarts a transfer the
 * follower discarded, whose answer is 0).
 */
public final class SnapshotSend {

    /** One chunk to read from the snapshot's stream and send. */
    public record Chunk(long offset, int length, boolean done) {
    }

    private final SnapshotMeta snapshot;
    private final int chunkBytes;
    private final int window;
    private long nextOffset;
    private long acked;
    private long lastHeard;
    private long lastGainTick;

    public SnapshotSend(SnapshotMeta snapshot, int chunkBytes, int window, long nowTick) {
        if (chunkBytes < 1 || window < 1) {
            throw new IllegalArgumentException("chunk bytes and window must be positive, were " + chunkBytes + " and " + window);
        }
        this.snapshot = snapshot;
        this.chunkBytes = chunkBytes;
        this.window = window;
        this.lastGainTick = nowTick;
    }

    public SnapshotMeta snapshot() {
        return snapshot;
    }

    /** The bytes the follower said it holds, at most. */
    public long acked() {
        return acked;
    }

    /** The next chunk the window allows, or null: at most {@code window} chunks beyond what the follower holds. */
    public Chunk nextChunk() {
        long size = snapshot.sizeBytes();
        if (nextOffset >= size || nextOffset - acked >= (long) window * chunkBytes) {
            return null;
        }
        int length = (int) Math.min(chunkBytes, size - nextOffset);
        Chunk chunk = new Chunk(nextOffset, length, nextOffset + length == size);
        nextOffset += length;
        return chunk;
    }

    /** The follower holds {@code followerOffset} bytes (its answer to some chunk, perhaps a stale one). */
    public void answered(long followerOffset, long nowTick) {
        lastHeard = followerOffset;
        if (followerOffset > acked) {
            acked = followerOffset;
            lastGainTick = nowTick;
            nextOffset = Math.max(nextOffset, acked);
        }
    }

    /**
     * Whether the follower has gained nothing for {@code stallTicks}: if so, the window goes back to
     * the follower's latest answer (a lost chunk, a transfer the follower discarded, an install lost
     * in a crash), and the last chunk is resent when the follower already holds every byte.
     */
    public boolean rewindIfStalled(long nowTick, long stallTicks) {
        if (nowTick - lastGainTick < stallTicks) {
            return false;
        }
        long from = Math.min(lastHeard, snapshot.sizeBytes());
        if (from >= snapshot.sizeBytes()) {
            from = Math.max(0, (snapshot.sizeBytes() - 1) / chunkBytes * chunkBytes);
        }
        nextOffset = from;
        acked = from;
        lastGainTick = nowTick;
        return true;
    }

    @Override
    public String toString() {
        return "snapshot " + snapshot.id() + " next=" + nextOffset + " acked=" + acked + "/" + snapshot.sizeBytes();
    }
}
