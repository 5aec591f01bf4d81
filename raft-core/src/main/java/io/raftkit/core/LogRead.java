package io.raftkit.core;

import io.raftkit.api.NodeId;

/**
 * A leader's request, in a {@link Ready}, for entries that left its in-memory log (issue 16): the
 * driver reads {@code from..to} (at most {@code maxBytes} of payload, one entry at least) from the
 * LogStore on the store's thread and hands them back through {@link RaftNode#entriesRead}. Only
 * durable, applied (so committed) entries are ever evicted, so what the store returns at those
 * indexes cannot be truncated before the answer arrives; the node still checks the answer against
 * its log (index and term of every entry), against compaction and against what the follower needs
 * by then, and discards it otherwise.
 *
 * @param id       unique within this node's incarnation: an answer is taken only for the newest request to its peer
 * @param peer     the follower the entries are for
 * @param term     the leader's term when it asked; an answer arriving in another term is discarded
 * @param from     the follower's next index when the node asked
 * @param to       the last index to read (all of {@code from..to} were evicted when the node asked)
 * @param maxBytes the most payload bytes to read (one AppendEntries' worth)
 */
public record LogRead(long id, NodeId peer, long term, long from, long to, long maxBytes) {
}
