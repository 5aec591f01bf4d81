package io.raftkit.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.core.Mutant;
import io.raftkit.core.MutantScope;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: a fresh cluster should elect once. All the simulator's nodes start at the same moment
 * with timeouts in whole ticks, so two of them often pre-vote in the same tick: the duel that made
 * real fresh clusters split their first term. Counted over seeds without faults, since any fault
 * may legitimately cost a term. The deferral narrows the duel but does not close it: a pre-candidate
 * that already holds a third node's grant goes on before its rival's PreVote arrives (2026-12-05:
 * 198 of 200 seeds in term 1 with it, 194 without), so the test asserts the improvement, not
 * perfection.
 */
class FreshClusterElectsOnceTest {

    private static final int SEEDS = 200;

    private static int electedInTermOne() {
        int once = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            SimCluster.Options shape = SimulationTest.shape(seed, 400);
            SimCluster.Result r = new SimCluster(seed, new SimCluster.Options(shape.voters(), shape.learners(), 400, false), false).run();
            assertThat(r.firstLeaderTerm()).as("seed %d elected a leader", seed).isPositive();
            if (r.firstLeaderTerm() == 1) {
                once++;
            }
        }
        return once;
    }

    @Test
    void freshClustersElectTheirFirstLeaderInTermOne() throws Exception {
        int fixed = electedInTermOne();
        int[] raced = new int[1];
        MutantScope.with(Mutant.PRE_VOTES_RACE, () -> raced[0] = electedInTermOne());
        System.out.printf("fresh clusters electing in term 1: %d of %d; with PRE_VOTES_RACE %d%n", fixed, SEEDS, raced[0]);
        assertThat(fixed).as("fresh clusters electing in term 1 with the deferral, against %d without", raced[0])
                .isGreaterThan(raced[0]);
    }
}
