package io.raftkit.verifier.model;

import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import java.util.Optional;
import java.util.Set;

/**
 * A lock, initially free: {@code acquire} takes a free lock, {@code release} frees a held one. Two
 * acquires with no release between them, or a release of a free lock, cannot be linearized.
 */
public final class MutexModel implements Model<Boolean> {

    @Override
    public String name() {
        return "mutex";
    }

    @Override
    public Boolean initialState() {
        return Boolean.FALSE;
    }

    @Override
    public Set<String> functions() {
        return Set.of("acquire", "release");
    }

    @Override
    public Optional<Boolean> step(Boolean locked, Op op) {
        switch (op.f()) {
            case "acquire":
                return locked ? Optional.empty() : Optional.of(Boolean.TRUE);
            case "release":
                return locked ? Optional.of(Boolean.FALSE) : Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
