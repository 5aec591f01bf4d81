package io.raftkit.verifier.backend;

/**
 * Packet faults on every link: each message lost with probability {@code lossPercent}, sent twice
 * with {@code duplicatePercent}, and held back {@code delayMillis} plus up to {@code jitterMillis}
 * (so messages overtake each other). Applied by the nodes' {@code network-faults} transport; the
 * Docker backend also drops that share of real packets with iptables' statistic match.
 */
public record PacketFaults(int lossPercent, int duplicatePercent, long delayMillis, long jitterMillis) {

    public static final PacketFaults NONE = new PacketFaults(0, 0, 0, 0);

    public boolean isNone() {
        return equals(NONE);
    }

    /** The transport admin endpoint's query parameters. */
    public String query() {
        return "lossPercent=" + lossPercent + "&duplicatePercent=" + duplicatePercent + "&delayMillis=" + delayMillis
                + "&jitterMillis=" + jitterMillis;
    }

    @Override
    public String toString() {
        return "loss " + lossPercent + "%, duplicates " + duplicatePercent + "%, delay " + delayMillis + "+" + jitterMillis + " ms";
    }
}
