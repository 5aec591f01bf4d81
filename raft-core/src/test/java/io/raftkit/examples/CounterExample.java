package io.raftkit.examples;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A replicated counter: three nodes in one JVM on the memory plugins. */
public final class CounterExample {

    /** The service: every node applies the same increments in the same order. */
    static final class Counter implements StateMachine {
        private long value;

        @Override public byte[] apply(long index, byte[] command) {
            value += ByteBuffer.wrap(command).getLong();
            return ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }
    }

    public static long run() throws Exception {
        ClusterConfig members = ClusterConfig.ofVoters("n1", "n2", "n3");
        List<RaftServer> servers = new ArrayList<>();
        for (NodeId id : members.voters()) {
            RaftServer server = RaftServer.builder().self(id).cluster(members)
                    .transport("memory", null).logStore("memory", null)
                    .stateMachine(new Counter()).build();
            server.start();
            servers.add(server);
        }
        RaftServer leader = null;
        while (leader == null) {                      // wait for an election
            Thread.sleep(50);
            leader = servers.stream().filter(s -> s.status().role() == Role.LEADER).findFirst().orElse(null);
        }
        for (int i = 1; i <= 10; i++) {
            leader.propose(ByteBuffer.allocate(8).putLong(i).array()).get();
        }
        long total = ByteBuffer.wrap(servers.get(2).read(new byte[0]).get()).getLong();  // linearizable, any node
        servers.forEach(RaftServer::close);
        return total;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("counter = " + run());
    }
}
