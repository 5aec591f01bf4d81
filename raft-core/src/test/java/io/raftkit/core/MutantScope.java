package io.raftkit.core;

/** Runs test code with one {@link Mutant} put back, and always takes it out again. */
public final class MutantScope {

    private MutantScope() {
    }

    public interface Action {
        void run() throws Exception;
    }

    public static void with(Mutant mutant, Action action) throws Exception {
        Mutant.activate(mutant);
        try {
            action.run();
        } finally {
            Mutant.activate(Mutant.NONE);
        }
    }
}
