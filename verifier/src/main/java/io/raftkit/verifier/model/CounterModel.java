package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.util.Optional;
import java.util.Set;

/**
 * A counter starting at 0: {@code add n} adds n (negative to subtract), {@code read v} must return
 * the sum of the adds before it. A read with a null value is legal anywhere (it never answered).
 */
public final class CounterModel implements Model<Long> {

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public Long initialState() {
        return 0L;
    }

    @Override
    public Set<String> functions() {
        return Set.of("add", "read");
    }

    @Override
    public Optional<Long> step(Long state, Op op) {
        switch (op.f()) {
            case "add":
                return op.value() instanceof Number n ? Optional.of(state + n.longValue()) : Optional.empty();
            case "read":
                if (op.value() == null) {
                    return Optional.of(state);
                }
                return op.value() instanceof Number n && n.longValue() == state ? Optional.of(state) : Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
