package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A read/write register: {@code write v} sets it, {@code read v} must return what it holds. A read
 * whose value is null is legal in every state: a read that never answered carries no value (the
 * Knossos convention), so a register that can be absent must name absence with a real value.
 */
public class RegisterModel implements Model<RegisterModel.Cell> {

    /** The register's contents; a record because the value itself may be null (an unwritten register). */
    public record Cell(Object value) {
    }

    private final Object initial;

    public RegisterModel() {
        this(null);
    }

    public RegisterModel(Object initial) {
        this.initial = initial;
    }

    @Override
    public String name() {
        return "register";
    }

    /** What the register holds before any write (null: unwritten, which every read of null accepts). */
    public Object initialValue() {
        return initial;
    }

    @Override
    public Cell initialState() {
        return new Cell(initial);
    }

    @Override
    public Set<String> functions() {
        return Set.of("read", "write");
    }

    @Override
    public Optional<Cell> step(Cell state, Op op) {
        switch (op.f()) {
            case "read":
                return op.value() == null || Objects.equals(op.value(), state.value()) ? Optional.of(state) : Optional.empty();
            case "write":
                return Optional.of(new Cell(op.value()));
            default:
                return Optional.empty();
        }
    }
}
