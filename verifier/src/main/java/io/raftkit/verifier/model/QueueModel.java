package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A FIFO queue: {@code enqueue x} appends x; {@code dequeue} returns {@code [x]}, the head, which it
 * removes, or {@code []} when the queue is empty. The one-element list keeps "empty" apart from
 * "unknown": a dequeue whose value is null (it never answered) removes the head if there is one,
 * or nothing, since it may or may not have happened.
 */
public final class QueueModel implements Model<List<Object>> {

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public List<Object> initialState() {
        return List.of();
    }

    @Override
    public Set<String> functions() {
        return Set.of("enqueue", "dequeue");
    }

    @Override
    public Optional<List<Object>> step(List<Object> state, Op op) {
        switch (op.f()) {
            case "enqueue": {
                List<Object> next = new ArrayList<>(state);
                next.add(op.value());
                return Optional.of(List.copyOf(next));
            }
            case "dequeue":
                if (op.value() == null) {
                    return Optional.of(state.isEmpty() ? state : List.copyOf(state.subList(1, state.size())));
                }
                if (!(op.value() instanceof List<?> got) || got.size() > 1) {
                    return Optional.empty();
                }
                if (got.isEmpty()) {
                    return state.isEmpty() ? Optional.of(state) : Optional.empty();
                }
                return !state.isEmpty() && state.get(0).equals(got.get(0))
                        ? Optional.of(List.copyOf(state.subList(1, state.size()))) : Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
