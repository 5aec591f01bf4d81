package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Op;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A register with compare-and-set: {@code cas [expected, new]} succeeds only when the register holds
 * {@code expected} (a CAS that failed is recorded as a failed operation and never reaches the model).
 * Reads and writes as in {@link RegisterModel}.
 */
public final class CasRegisterModel extends RegisterModel {

    public CasRegisterModel() {
        this(null);
    }

    public CasRegisterModel(Object initial) {
        super(initial);
    }

    @Override
    public String name() {
        return "cas-register";
    }

    @Override
    public Set<String> functions() {
        return Set.of("read", "write", "cas");
    }

    @Override
    public Optional<Cell> step(Cell state, Op op) {
        if (!op.f().equals("cas")) {
            return super.step(state, op);
        }
        if (!(op.value() instanceof List<?> pair) || pair.size() != 2) {
            return Optional.empty(); // not [expected, new]: no state could have produced it
        }
        return Objects.equals(pair.get(0), state.value()) ? Optional.of(new Cell(pair.get(1))) : Optional.empty();
    }
}
