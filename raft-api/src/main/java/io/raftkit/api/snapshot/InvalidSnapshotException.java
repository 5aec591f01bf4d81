package io.raftkit.api.snapshot;

import java.io.IOException;

/**
 * A snapshot's bytes are not what they claim to be: a checksum or size that does not match, a
 * malformed stream, a damaged file. For a snapshot received from a peer this is bad input, not a
 * failure of this node: the transfer is discarded and the node carries on. Any other
 * {@link IOException} from a snapshot store is a failure of this node's disk.
 */
public class InvalidSnapshotException extends IOException {

    public InvalidSnapshotException(String message) {
        super(message);
    }

    public InvalidSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
