package io.raftkit.kv.http;

import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.members.MemberDirectory;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.wire.WireOp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The KV operations behind both client protocols (the JSON API and the binary stream): input
 * limits, leadership, the leader's stamp, the memory guard, proposing or reading, and the answer.
 * Callers decode their own input and write their own answers; what a request means is decided here.
 */
final class KvService {

    private final RaftServer raft;
    private final KvStateMachine kv;
    private final SessionPolicyKeeper sessionPolicy;
    private final MemberDirectory directory;
    private final HttpLimits limits;

    KvService(RaftServer raft, KvStateMachine kv, SessionPolicyKeeper sessionPolicy, MemberDirectory directory,
              HttpLimits limits) {
        this.raft = raft;
        this.kv = kv;
        this.sessionPolicy = sessionPolicy;
        this.directory = directory;
        this.limits = limits;
    }

    String nodeId() {
        return raft.id().value();
    }

    RaftStatus status() {
        return raft.status();
    }

    /** The leader's HTTP URL when a leader other than this node is known. */
    Optional<String> otherLeaderUrl(RaftStatus status) {
        return status.leader().filter(l -> !l.equals(raft.id())).flatMap(directory::httpUrl);
    }

    /**
     * The refusal of a request that needs the leader at a node that is not the leader and does not
     * forward it: names the leader, and its HTTP URL, when one is known, so a client goes there next.
     */
    ApiError notLeader(RaftStatus status, String why) {
        JsonObject extra = new JsonObject();
        status.leader().ifPresent(l -> {
            extra.put("leader", l.value());
            directory.httpUrl(l).ifPresent(url -> extra.put("leaderHttp", url));
        });
        return new ApiError(503, status.leader().isPresent() ? "not-leader" : "no-leader",
                status.leader().isPresent() ? "node " + raft.id() + " is not the leader and " + why
                        : "no leader is known yet; retry shortly", true, extra);
    }

    void checkKey(String key) throws BadRequest {
        if (key.startsWith(MemberDirectory.RESERVED_PREFIX)) {
            throw new BadRequest("reserved-key", "keys starting with U+0000 followed by 'raftkit/' are the cluster's own"
                    + " (the member directory); use GET /v1/members");
        }
        int bytes = key.length() <= limits.maxKeyBytes() / 3 ? key.length() : key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxKeyBytes()) {
            throw new BadRequest("key-too-long", "key is " + bytes + " bytes; the limit is " + limits.maxKeyBytes() + " (max-key-bytes)");
        }
    }

    void checkValue(String field, KvValue value) throws BadRequest {
        if (value.length() > limits.maxValueBytes()) {
            throw new BadRequest("value-too-large", field + " is " + value.length() + " bytes; the limit is "
                    + limits.maxValueBytes() + " (max-value-bytes)");
        }
    }

    /**
     * Stamps the command with this leader's clock (the state machine's only time source: sessions
     * expire by it) and proposes it. The caller has checked that this node leads. Completes on the
     * Raft loop's thread, never exceptionally: a failure is an error answer.
     */
    CompletableFuture<Answer> write(WireOp op, RaftStatus status, SessionStamp session, Function<SessionStamp, KvCommand> command) {
        return propose(status, session, command, bytes -> Answer.of(op, KvCodec.decodeResult(bytes), session), Answer::of);
    }

    /** {@link #write}'s steps for any command, its result read by {@code answer}, a failure by {@code error}. */
    <T> CompletableFuture<T> propose(RaftStatus status, SessionStamp session, Function<SessionStamp, KvCommand> command,
                                     Function<byte[], T> answer, Function<ApiError, T> error) {
        SessionStamp stamped = new SessionStamp(session.clientId(), session.sequence(), System.currentTimeMillis());
        byte[] proposal = KvCodec.encode(command.apply(stamped));
        Optional<ApiError> full = memoryFull(status, proposal.length);
        if (full.isPresent()) {
            return CompletableFuture.completedFuture(error.apply(full.get()));
        }
        sessionPolicy.beforeWrite(status.term());
        return raft.propose(proposal).handle((bytes, failure) -> failure == null
                ? answer.apply(bytes) : error.apply(ApiError.from(failure)));
    }

    /** A read: linearizable (ReadIndex, thesis §6.4; the caller has checked that this node leads) or stale. */
    CompletableFuture<Answer> read(WireOp op, String key) {
        byte[] query = KvCodec.encodeGet(key);
        CompletableFuture<byte[]> result = op == WireOp.GET ? raft.read(query) : raft.readStale(query);
        return result.handle((bytes, failure) -> failure == null
                ? Answer.of(op, KvCodec.decodeResult(bytes), SessionStamp.anonymous(0)) : Answer.of(ApiError.from(failure)));
    }

    boolean leads(RaftStatus status) {
        return status.role() == Role.LEADER;
    }

    /**
     * The memory guard for the KV's share: RaftServer refuses proposals once the log alone passes
     * its limit, but the keys, values and sessions live in the heap besides the log (a value is
     * there twice, as log bytes and in the map; a command of 150 bytes may add a 320-byte session).
     * Both together must stay under the limit (80 % of the heap), or the write is refused before
     * it is proposed.
     */
    private Optional<ApiError> memoryFull(RaftStatus status, int proposalBytes) {
        long state = kv.heapBytes();
        if (status.logHeapBytes() + state + proposalBytes <= status.logHeapLimitBytes()) {
            return Optional.empty();
        }
        return Optional.of(ApiError.rejected(507, "log-full", String.format("the log (about %d MB) and the KV state"
                        + " (about %d MB: keys, values and %d client sessions) take more than this node's %d MB limit"
                        + " (80%% of its heap); writes are refused, reads go on. The log above the snapshot before the"
                        + " newest stays in memory: snapshot more often (--snapshot-every-entries/-bytes) or restart"
                        + " the node with a larger -Xmx",
                status.logHeapBytes() >> 20, state >> 20, kv.sessionCount(), status.logHeapLimitBytes() >> 20)));
    }
}
