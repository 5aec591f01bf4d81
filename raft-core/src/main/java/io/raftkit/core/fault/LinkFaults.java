package io.raftkit.core.fault;

/**
 * Packet faults on every message a node sends, as a lossy, slow network has them: each message is
 * lost with probability {@code lossPercent}, sent twice with probability {@code duplicatePercent},
 * and held back {@code delayMillis} plus a uniform 0 to {@code jitterMillis} (so messages overtake
 * each other). Over TCP the kernel hides a lost or duplicated segment, so these are applied to whole
 * Raft messages, which is what a TCP connection that breaks and reconnects, or a retry, does to them.
 */
public record LinkFaults(int lossPercent, int duplicatePercent, long delayMillis, long jitterMillis) {

    public static final LinkFaults NONE = new LinkFaults(0, 0, 0, 0);

    public LinkFaults {
        check("lossPercent", lossPercent, 100);
        check("duplicatePercent", duplicatePercent, 100);
        check("delayMillis", delayMillis, 60_000);
        check("jitterMillis", jitterMillis, 60_000);
    }

    private static void check(String name, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " = " + value + " is out of range: allowed 0 to " + max);
        }
    }

    public boolean isNone() {
        return equals(NONE);
    }

    @Override
    public String toString() {
        return "lossPercent=" + lossPercent + " duplicatePercent=" + duplicatePercent + " delayMillis=" + delayMillis
                + " jitterMillis=" + jitterMillis;
    }
}
