package io.raftkit.verifier.generator;

import io.raftkit.verifier.model.CasRegisterModel;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reads, writes and compare-and-sets of one register holding 0 to 4, as Knossos's classic
 * workload, checked against {@link CasRegisterModel} starting at null (a client answers a read of
 * the unwritten register with null, which every state accepts). A client maps {@code write v},
 * {@code cas [expected, new]} (a CAS whose expectation fails is a {@code Fail}: it changed nothing)
 * and {@code read}.
 */
public final class CasRegisterWorkload implements Workload {

    private static final Model<?> MODEL = new CasRegisterModel();

    @Override
    public String name() {
        return "cas-register";
    }

    @Override
    public Op next(SplittableRandom random) {
        int pick = random.nextInt(5);
        if (pick < 2) {
            return new Op("read", null);
        }
        if (pick < 4) {
            return new Op("write", (long) random.nextInt(5));
        }
        return new Op("cas", List.of((long) random.nextInt(5), (long) random.nextInt(5)));
    }

    @Override
    public Model<?> model() {
        return MODEL;
    }

    @Override
    public List<Op> finalOps() {
        return List.of(new Op("read", null));
    }
}
