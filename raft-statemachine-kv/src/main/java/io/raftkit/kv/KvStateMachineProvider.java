package io.raftkit.kv;

import io.raftkit.api.spi.StateMachine;
import io.raftkit.api.spi.StateMachineConfig;
import io.raftkit.api.spi.StateMachineProvider;

/**
 * The {@code kv} state machine plugin. Option {@code session-ttl-ms}: the session TTL for log
 * entries before the first session policy in the log (default one hour), which is how logs written
 * before policies were replicated were applied. From a {@link KvCommand.SetSessionPolicy} on, the
 * replicated policy rules; {@code raft-kv server} proposes its configured one.
 */
public final class KvStateMachineProvider implements StateMachineProvider {

    @Override
    public String name() {
        return "kv";
    }

    @Override
    public String description() {
        return "replicated key-value map with exactly-once client sessions";
    }

    @Override
    public StateMachine create(StateMachineConfig config) {
        config.options().requireOnly("the kv state machine", java.util.Set.of("session-ttl-ms"));
        return new KvStateMachine(config.options().longValue("session-ttl-ms", KvStateMachine.DEFAULT_SESSION_TTL_MILLIS, 1, Long.MAX_VALUE / 2));
    }
}
