package io.raftkit.verifier.spi;

import java.util.function.Function;

/**
 * How a client's operation ended, in the terms a history needs. {@link Ok}: it took effect, with
 * the value it returned. {@link Fail}: it certainly took no effect (refused before it was proposed,
 * or the entry it was proposed as was overwritten). {@link Unknown}: nobody knows (a timeout, the
 * node stopped after proposing), which the checker reads as "took effect at some point after its
 * invocation, or never". Calling a failure that might have taken effect {@code Fail} makes the
 * checker wrong; when in doubt, say {@code Unknown}.
 */
public sealed interface Completion permits Completion.Ok, Completion.Fail, Completion.Unknown {

    record Ok(Object value) implements Completion {
    }

    record Fail(String reason) implements Completion {
    }

    record Unknown(String reason) implements Completion {
    }

    static Completion ok(Object value) {
        return new Ok(value);
    }

    static Completion fail(String reason) {
        return new Fail(reason);
    }

    static Completion unknown(String reason) {
        return new Unknown(reason);
    }

    /** An {@link Ok}'s value transformed (decoding a state machine's reply); other completions unchanged. */
    default Completion map(Function<Object, Object> f) {
        if (this instanceof Ok ok) {
            return new Ok(f.apply(ok.value()));
        }
        return this;
    }
}
