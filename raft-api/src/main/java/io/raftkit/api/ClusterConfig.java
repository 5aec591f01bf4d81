package io.raftkit.api;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who takes part: voters count toward quorums; learners receive the log but never vote.
 * Iteration order is the ids' natural order, so everything derived from a config is deterministic.
 *
 * <p>During a membership change (thesis §4.3, joint consensus) a configuration is <em>joint</em>:
 * {@link #votersOutgoing} holds the old voters and {@link #voters} the new ones, and every decision
 * (elections, commitment, reads) needs a majority of each. Outside a change {@code votersOutgoing}
 * is empty. A learner is in neither voter set.
 *
 * @param voters         the voters of the configuration (the new one while joint)
 * @param learners       members that receive the log and never vote
 * @param votersOutgoing the old voters while joint, empty otherwise
 * @param addresses      transport addresses of members added at run time, which travel with the
 *                       change (and with snapshots) so that every node's transport, and every later
 *                       leader's, can reach them; members the nodes were started with need none here.
 *                       Entries for nodes that are not members are dropped.
 */
public record ClusterConfig(Set<NodeId> voters, Set<NodeId> learners, Set<NodeId> votersOutgoing,
                            Map<NodeId, String> addresses) {

    /** The first byte of {@link #encode()}'s format, so that a later format can be told apart. */
    private static final int FORMAT_VERSION = 1;

    public ClusterConfig {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        votersOutgoing = Collections.unmodifiableSortedSet(new TreeSet<>(votersOutgoing));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one voter");
        }
        for (NodeId learner : learners) {
            if (voters.contains(learner) || votersOutgoing.contains(learner)) {
                throw new IllegalArgumentException("node " + learner + " is both a voter and a learner");
            }
        }
        TreeMap<NodeId, String> kept = new TreeMap<>();
        for (Map.Entry<NodeId, String> e : addresses.entrySet()) {
            NodeId id = e.getKey();
            if (voters.contains(id) || votersOutgoing.contains(id) || learners.contains(id)) {
                kept.put(id, java.util.Objects.requireNonNull(e.getValue(), "address of " + id));
            }
        }
        addresses = Collections.unmodifiableSortedMap(kept);
    }

    /** A configuration outside a change (not joint). */
    public ClusterConfig(Set<NodeId> voters, Set<NodeId> learners) {
        this(voters, learners, Set.of(), Map.of());
    }

    /** A joint configuration without run-time addresses. */
    public ClusterConfig(Set<NodeId> voters, Set<NodeId> learners, Set<NodeId> votersOutgoing) {
        this(voters, learners, votersOutgoing, Map.of());
    }

    /** This configuration with {@code more} addresses (replacing any given for the same node). */
    public ClusterConfig withAddresses(Map<NodeId, String> more) {
        TreeMap<NodeId, String> all = new TreeMap<>(addresses);
        all.putAll(more);
        return new ClusterConfig(voters, learners, votersOutgoing, all);
    }

    public static ClusterConfig ofVoters(Collection<NodeId> voters) {
        return new ClusterConfig(Set.copyOf(voters), Set.of());
    }

    public static ClusterConfig ofVoters(String... ids) {
        TreeSet<NodeId> set = new TreeSet<>();
        for (String id : ids) {
            set.add(NodeId.of(id));
        }
        return new ClusterConfig(set, Set.of());
    }

    /**
     * The joint configuration C(old,new) that moves from {@code this} to {@code next} (thesis §4.3):
     * next's voters and learners, with this configuration's voters as the outgoing ones.
     */
    public ClusterConfig jointWith(ClusterConfig next) {
        if (isJoint() || next.isJoint()) {
            throw new IllegalArgumentException("a joint configuration is entered from a simple one, towards a simple one");
        }
        TreeMap<NodeId, String> all = new TreeMap<>(addresses);
        all.putAll(next.addresses);
        return new ClusterConfig(next.voters, next.learners, voters, all);
    }

    /** C(new): the configuration a joint one leaves to; a simple configuration is returned as it is. */
    public ClusterConfig leaveJoint() {
        return isJoint() ? new ClusterConfig(voters, learners, Set.of(), addresses) : this;
    }

    public boolean isJoint() {
        return !votersOutgoing.isEmpty();
    }

    /** Every member: voters of either side of a joint configuration, and learners. */
    public Set<NodeId> members() {
        TreeSet<NodeId> all = new TreeSet<>(voters);
        all.addAll(votersOutgoing);
        all.addAll(learners);
        return Collections.unmodifiableSortedSet(all);
    }

    /** Whether {@code id} votes: in the configuration, or in either side of a joint one. */
    public boolean isVoter(NodeId id) {
        return voters.contains(id) || votersOutgoing.contains(id);
    }

    /** The smallest number of voters that forms a majority (§5.2) of {@link #voters}. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /**
     * The payload of a CONFIGURATION log entry: a version byte, then the three sets, each a count
     * followed by the ids in UTF-8, then the addresses, a count followed by id and address pairs.
     */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            writeIds(out, voters);
            writeIds(out, learners);
            writeIds(out, votersOutgoing);
            out.writeInt(addresses.size());
            for (Map.Entry<NodeId, String> e : addresses.entrySet()) {
                out.writeUTF(e.getKey().value());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException naming what is wrong when the bytes are not such a payload
     */
    public static ClusterConfig decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("configuration payload has format version " + version
                        + "; this build reads version " + FORMAT_VERSION);
            }
            SortedSet<NodeId> voters = readIds(in);
            SortedSet<NodeId> learners = readIds(in);
            SortedSet<NodeId> outgoing = readIds(in);
            TreeMap<NodeId, String> addresses = new TreeMap<>();
            int count = in.readInt();
            if (count < 0 || count > 10_000) {
                throw new IllegalArgumentException("configuration payload names " + count + " addresses");
            }
            for (int i = 0; i < count; i++) {
                addresses.put(NodeId.of(in.readUTF()), in.readUTF());
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("configuration payload has " + in.available() + " trailing bytes");
            }
            return new ClusterConfig(voters, learners, outgoing, addresses);
        } catch (IOException e) {
            throw new IllegalArgumentException("configuration payload of " + payload.length + " bytes is truncated", e);
        }
    }

    private static void writeIds(DataOutputStream out, Set<NodeId> ids) throws IOException {
        out.writeInt(ids.size());
        for (NodeId id : ids) {
            out.writeUTF(id.value());
        }
    }

    private static SortedSet<NodeId> readIds(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > 10_000) {
            throw new IllegalArgumentException("configuration payload names " + count + " members");
        }
        TreeSet<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(NodeId.of(in.readUTF()));
        }
        return ids;
    }
}
