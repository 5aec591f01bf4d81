package io.raftkit.transport.vertx.tcp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections still in their handshake, bounded in total and per source address. When a bound is
 * reached the newcomer is admitted and the oldest pending connection gives way: a socket that sits
 * idle loses its slot to the next arrival, while a member's handshake takes one round trip, so an
 * attacker would have to open connections faster than that, without pause, to keep a member out.
 * Connections from the members' own addresses are never evicted by strangers when the total is
 * reached: a restarted member is not locked out by idle sockets from elsewhere (on 2dc2366 one shared
 * limit of 64 did exactly that until the handshake timeout freed slots).
 *
 * <p>Thread-safe: connections arrive on any event loop. Not on a hot path (once per connection).
 *
 * @param <C> what a pending connection is (the transport's inbound connection; a string in tests)
 */
final class HandshakeAdmission<C> {

    private record Pending(InetAddress source, boolean fromMember) {
    }

    private final int maxPending;
    private final int maxPerSource;
    private final Set<InetAddress> memberAddresses;
    /** Insertion order is arrival order: the first entry is the oldest. */
    private final LinkedHashMap<C, Pending> pending = new LinkedHashMap<>();
    private final Map<InetAddress, Integer> perSource = new HashMap<>();

    HandshakeAdmission(int maxPending, int maxPerSource, Set<InetAddress> memberAddresses) {
        this.maxPending = maxPending;
        this.maxPerSource = maxPerSource;
        this.memberAddresses = Set.copyOf(memberAddresses);
    }

    /**
     * Admits {@code connection} from {@code source} and returns the connections that must give way
     * (to be closed by the caller), or returns null when {@code connection} itself is refused: a
     * stranger when every pending connection comes from a member's address.
     */
    synchronized List<C> admit(C connection, InetAddress source) {
        boolean fromMember = memberAddresses.contains(source);
        List<C> evicted = new ArrayList<>();
        if (perSource.getOrDefault(source, 0) >= maxPerSource) {
            evicted.add(oldest(source, false));
        } else if (pending.size() >= maxPending) {
            C victim = oldest(null, true);
            if (victim == null) {
                if (!fromMember) {
                    return null;
                }
                victim = oldest(null, false);
            }
            evicted.add(victim);
        }
        evicted.forEach(this::remove);
        pending.put(connection, new Pending(source, fromMember));
        perSource.merge(source, 1, Integer::sum);
        return evicted;
    }

    /** The connection finished its handshake or closed: its slot is free. Idempotent. */
    synchronized void release(C connection) {
        remove(connection);
    }

    synchronized int pending() {
        return pending.size();
    }

    private void remove(C connection) {
        Pending p = pending.remove(connection);
        if (p != null) {
            perSource.computeIfPresent(p.source, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /** The oldest pending connection from {@code source} (any when null), skipping members' if asked. */
    private C oldest(InetAddress source, boolean strangersOnly) {
        for (Iterator<Map.Entry<C, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<C, Pending> e = it.next();
            if ((source == null || e.getValue().source.equals(source)) && !(strangersOnly && e.getValue().fromMember)) {
                return e.getKey();
            }
        }
        return null;
    }
}
