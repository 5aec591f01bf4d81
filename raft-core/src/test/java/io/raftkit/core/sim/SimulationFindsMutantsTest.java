package io.raftkit.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.core.Mutant;
import io.raftkit.core.MutantScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 15's proof that the simulator is strong enough: each bug it fixed, put back, is found by
 * {@link SimulationTest}'s seeds alone, in their order and within its default budget, and by the
 * property that names it. Without this test the mutant table in docs/testing.md would be a claim
 * from one day; with it, a change that blinds the simulator to one of these bugs fails the build.
 * Seeds run until the first failure, so this costs a handful of seeds, not the budget.
 */
class SimulationFindsMutantsTest {

    @ParameterizedTest(name = "{0} is found by {1}")
    @CsvSource({
            "READ_JOINS_CARRIED_ROUND,   linearizable reads",
            "APPEND_BEFORE_TERM_DURABLE, durable term",
            "STALE_REPLIES_TRUSTED,      message budget",
            "INSTALL_SKIPS_RESTORE,      state digest",
            "RESTART_SKIPS_LOG_RESET,    restart",
            "JOINT_COMMITS_WITH_NEW_MAJORITY, leader completeness",
            "TERM_INDEX_KEPT_ON_TRUNCATION, leader completeness",
            "INSTALL_REPLY_SENDS_NOTHING, liveness after healing",
    })
    void eachFixedBugPutBackIsFoundWithinTheDefaultSeedBudget(Mutant mutant, String property) throws Exception {
        MutantScope.with(mutant, () -> {
            String found = null;
            long seed = 1;
            for (; seed <= SimulationTest.DEFAULT_SEEDS && found == null; seed++) {
                try {
                    new SimCluster(seed, SimulationTest.shape(seed, SimulationTest.DEFAULT_TICKS), false).run();
                } catch (SafetyViolation e) {
                    found = e.getMessage();
                }
            }
            assertThat(found).as("%s: no failure in seeds 1 to %d", mutant, SimulationTest.DEFAULT_SEEDS).isNotNull();
            assertThat(found).as("seed %d's failure", seed - 1).startsWith(property);
        });
    }
}
