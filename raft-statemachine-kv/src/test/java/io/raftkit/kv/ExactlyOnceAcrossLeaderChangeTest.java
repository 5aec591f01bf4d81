package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.core.server.RaftServer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Thesis §6.3: a client whose answer was lost retries with the same id and sequence; after a
 * leader change the new leader must answer from the replicated session, not apply again.
 */
class ExactlyOnceAcrossLeaderChangeTest {

    @Test
    void aCasRetriedAcrossALeaderChangeAppliesOnceAndReturnsTheOriginalResult() throws Exception {
        try (MemoryKvCluster cluster = new MemoryKvCluster(3, 42)) {
            RaftServer first = cluster.awaitLeader();
            first.propose(KvCodec.encode(new KvCommand.SetSessionPolicy(SessionStamp.anonymous(System.currentTimeMillis()),
                    SessionPolicy.DEFAULT))).get(5, TimeUnit.SECONDS);
            byte[] cas = KvCodec.encode(new KvCommand.Cas(new SessionStamp(77, 1, System.currentTimeMillis()),
                    "lock", Optional.empty(), "owner-a"));
            KvResult original = KvCodec.decodeResult(first.propose(cas).get(5, TimeUnit.SECONDS));
            assertThat(original.status()).isEqualTo(KvResult.Status.OK);

            RaftServer target = cluster.servers.stream().filter(s -> s != first).findFirst().orElseThrow();
            first.transferLeadership(target.id()).get(5, TimeUnit.SECONDS);
            RaftServer second = cluster.awaitLeaderOtherThan(first);

            // The same request (same client id and sequence), as a client retries it when its
            // answer was lost; stamped by the new leader's clock.
            byte[] retry = KvCodec.encode(new KvCommand.Cas(new SessionStamp(77, 1, System.currentTimeMillis()),
                    "lock", Optional.empty(), "owner-a"));
            KvResult retried = KvCodec.decodeResult(second.propose(retry).get(5, TimeUnit.SECONDS));

            assertThat(retried).isEqualTo(new KvResult(original.status(), original.key(), original.value(), original.version(),
                    original.createIndex(), original.modIndex(), original.index(), KvResult.Origin.DUPLICATE));
            KvResult stored = KvCodec.decodeResult(second.read(KvCodec.encodeGet("lock")).get(5, TimeUnit.SECONDS));
            assertThat(stored.version()).as("applied once").isEqualTo(1);
            assertThat(stored.modIndex()).isEqualTo(original.modIndex());

            // Without the session the same CAS is a new request, and it fails: proof the dedup mattered.
            byte[] fresh = KvCodec.encode(new KvCommand.Cas(new SessionStamp(77, 2, System.currentTimeMillis()),
                    "lock", Optional.empty(), "owner-a"));
            assertThat(KvCodec.decodeResult(second.propose(fresh).get(5, TimeUnit.SECONDS)).status())
                    .isEqualTo(KvResult.Status.CAS_FAILED);
        }
    }
}
