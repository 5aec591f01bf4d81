package io.raftkit.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of one Raft peer, stable for the life of its data directory.
 *
 * <p>Ids are short printable names ({@code n1}, {@code kv-east-2}) so they can appear in logs,
 * file names, metrics tags and URLs without escaping.
 */
public record NodeId(String value) implements Comparable<NodeId> {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public NodeId {
        Objects.requireNonNull(value, "node id");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("node id '" + value
                    + "' is invalid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
