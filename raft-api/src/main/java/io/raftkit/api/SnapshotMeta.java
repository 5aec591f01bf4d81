package io.raftkit.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What identifies and checks one snapshot (§7): the last log entry it replaces, the cluster
 * configuration as of that entry (a node restored from the snapshot knows its peers without the
 * log), and the size and CRC32C checksum of its transfer stream, so a receiver can verify every
 * byte before installing it.
 *
 * @param id                a name unique to this snapshot's content on the node that made it,
 *                          kept by every node that receives it: 1 to 64 characters of
 *                          {@code [A-Za-z0-9._-]} (it becomes part of file names)
 * @param lastIncludedIndex the index of the last entry the snapshot replaces, at least 1
 * @param lastIncludedTerm  that entry's term, at least 1
 * @param config            the cluster configuration in force at {@code lastIncludedIndex}
 * @param kind              records or bytes
 * @param sizeBytes         the length of the snapshot's transfer stream ({@link io.raftkit.api.snapshot.SnapshotStreamFormat})
 * @param checksum          the CRC32C of the transfer stream, 0 to 2<sup>32</sup>-1
 */
public record SnapshotMeta(String id, long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config,
                           SnapshotKind kind, long sizeBytes, long checksum) {

    /** The characters and length an id may have: it is used in file names and carried on the wire. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public SnapshotMeta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(kind, "kind");
        if (!ID_PATTERN.matcher(id).matches() || id.startsWith(".")) {
            throw new IllegalArgumentException("snapshot id '" + id + "' must be 1 to 64 characters of [A-Za-z0-9._-],"
                    + " not starting with a dot");
        }
        if (lastIncludedIndex < 1) {
            throw new IllegalArgumentException("snapshot lastIncludedIndex must be >= 1, was " + lastIncludedIndex);
        }
        if (lastIncludedTerm < 1) {
            throw new IllegalArgumentException("snapshot lastIncludedTerm must be >= 1, was " + lastIncludedTerm);
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("snapshot size must be >= 0, was " + sizeBytes);
        }
        if (checksum < 0 || checksum > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("snapshot checksum must be a CRC32C (0 to 2^32-1), was " + checksum);
        }
    }

    /** The id a store gives a snapshot it makes: index, term and checksum, so equal content gets equal ids. */
    public static String idFor(long lastIncludedIndex, long lastIncludedTerm, long checksum) {
        return lastIncludedIndex + "-" + lastIncludedTerm + "-" + String.format("%08x", checksum);
    }
}
