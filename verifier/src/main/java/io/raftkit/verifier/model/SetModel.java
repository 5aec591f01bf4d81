package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A set, linearizably: {@code add x} inserts x, {@code read xs} (a list or set) must return exactly
 * the elements added before it, in any order. Stricter than the {@code set} checker of the Clojure
 * side, which only asks that acknowledged adds survive to one final read: here every read is placed
 * in real time. A read with a null value is legal anywhere.
 */
public final class SetModel implements Model<Set<Object>> {

    @Override
    public String name() {
        return "set";
    }

    @Override
    public Set<Object> initialState() {
        return Set.of();
    }

    @Override
    public Set<String> functions() {
        return Set.of("add", "read");
    }

    @Override
    public Optional<Set<Object>> step(Set<Object> state, Op op) {
        switch (op.f()) {
            case "add": {
                if (state.contains(op.value())) {
                    return Optional.of(state);
                }
                Set<Object> next = new HashSet<>(state);
                next.add(op.value());
                return Optional.of(Set.copyOf(next));
            }
            case "read":
                if (op.value() == null) {
                    return Optional.of(state);
                }
                if (!(op.value() instanceof Collection<?> read)) {
                    return Optional.empty();
                }
                // A read that lists an element twice did not come from a set.
                return read.size() == state.size() && state.containsAll(read) ? Optional.of(state) : Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
