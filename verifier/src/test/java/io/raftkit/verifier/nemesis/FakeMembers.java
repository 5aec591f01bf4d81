package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.MembershipBackend;
import io.raftkit.verifier.backend.NetworkState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Five slots and a configuration kept in memory: the backend and the membership API the nemesis
 * talks to, answering as the contract says (200 once done, 409 refusals, no answer), with a hook
 * that decides each request's fate first. Every effect is logged in order, so tests check what
 * happened before what.
 */
final class FakeMembers implements MembershipBackend, Members {

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> memberIds = new LinkedHashMap<>();
    final Set<String> vacant = new LinkedHashSet<>();
    final Set<String> down = new LinkedHashSet<>();
    final Set<String> voters = new TreeSet<>();
    final Set<String> learners = new TreeSet<>();
    String leader = "n1";
    /** Decides a request ("remove n3", "promote n6", "add n6", "lead n4") before it is carried out: null to carry it out. */
    Function<String, Reply> before = request -> null;
    /** How many of the next nodes started with --join exit before they are added (they could not learn the members). */
    int joinersThatExit;
    /** How many of the next nodes started with --join a kill fault takes down at once (the nemesis holds them down). */
    int joinersKilled;
    /** Slots whose process exited by itself. */
    final Set<String> exited = new LinkedHashSet<>();

    FakeMembers() {
        for (int i = 1; i <= 5; i++) {
            memberIds.put("n" + i, "n" + i);
            voters.add("n" + i);
        }
    }

    synchronized Set<String> members() {
        Set<String> all = new TreeSet<>(voters);
        all.addAll(learners);
        return all;
    }

    // ------------------------------------------------------------------ backend

    @Override
    public List<String> nodes() {
        return List.copyOf(memberIds.keySet());
    }

    @Override
    public String endpoint(String node) {
        return "http://" + node;
    }

    @Override
    public void start() {
    }

    /** The leader's slot; a leader that is down, wiped or no longer a voter is followed by the first live voter, as after an election. */
    @Override
    public synchronized Optional<String> leader() {
        Optional<String> slot = liveSlotOf(leader);
        if (slot.isPresent() && voters.contains(leader)) {
            return slot;
        }
        for (String voter : voters) {
            if (liveSlotOf(voter).isPresent()) {
                log.add("elected " + voter);
                leader = voter;
                return liveSlotOf(voter);
            }
        }
        return Optional.empty();
    }

    private Optional<String> liveSlotOf(String id) {
        return memberIds.entrySet().stream().filter(e -> e.getValue().equals(id) && !down.contains(e.getKey())
                && !vacant.contains(e.getKey())).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized void kill(String node) {
        if (!vacant.contains(node)) {
            log.add("kill " + node);
            down.add(node);
        }
    }

    @Override
    public void crash(String node) {
        kill(node);
    }

    @Override
    public synchronized void restart(String node) {
        if (!vacant.contains(node) && down.remove(node)) {
            log.add("restart " + node);
        }
    }

    @Override
    public void pause(String node) {
    }

    @Override
    public void resume(String node) {
    }

    @Override
    public void network(NetworkState state) {
    }

    @Override
    public void close() {
    }

    @Override
    public synchronized String memberId(String node) {
        return memberIds.get(node);
    }

    @Override
    public synchronized String raftAddress(String node) {
        return memberIds.get(node) + ":7000";
    }

    @Override
    public synchronized String httpUrl(String node) {
        return "http://" + memberIds.get(node);
    }

    @Override
    public synchronized boolean running(String node) {
        return !vacant.contains(node) && !down.contains(node) && !exited.contains(node);
    }

    @Override
    public synchronized boolean vacant(String node) {
        return vacant.contains(node);
    }

    @Override
    public synchronized void wipe(String node) {
        log.add("wipe " + memberIds.get(node));
        vacant.add(node);
        down.remove(node);
    }

    @Override
    public synchronized void join(String node, String memberId, String via) {
        if (!vacant.remove(node)) {
            throw new IllegalStateException(node + " is not vacant");
        }
        memberIds.put(node, memberId);
        log.add("join " + memberId + " in " + node + " via " + via);
        exited.remove(node);
        if (joinersKilled > 0) {
            joinersKilled--;
            down.add(node);
            log.add(memberId + " killed");
        } else if (joinersThatExit > 0) {
            joinersThatExit--;
            exited.add(node);
            log.add(memberId + " exited");
        } else if (!members().contains(memberId)) {
            learners.add(memberId);
            log.add("added " + memberId);
        }
    }

    // ------------------------------------------------------------------ membership API

    private Reply decide(String request) {
        Reply r = before.apply(request);
        if (r != null) {
            log.add(request + ": " + r);
        }
        return r;
    }

    /** Slots whose node answers its status as not caught up. */
    final Set<String> behind = new LinkedHashSet<>();

    @Override
    public synchronized Optional<Progress> progress(String endpoint) {
        String slot = endpoint.substring("http://".length());
        if (!running(slot)) {
            return Optional.empty();
        }
        return Optional.of(new Progress(1000, behind.contains(slot) ? 10 : 1000));
    }

    @Override
    public synchronized Optional<View> view(String endpoint) {
        List<Member> list = new ArrayList<>();
        voters.forEach(id -> list.add(new Member(id, true, false)));
        learners.forEach(id -> list.add(new Member(id, false, false)));
        return Optional.of(new View(Optional.of(leader), false, list));
    }

    @Override
    public synchronized Reply add(String endpoint, String id, String raft, String http) {
        Reply r = decide("add " + id);
        if (r != null) {
            return r;
        }
        if (members().contains(id)) {
            return new Reply(409, id + " is a member already");
        }
        learners.add(id);
        log.add("added " + id);
        return new Reply(200, "");
    }

    @Override
    public synchronized Reply promote(String endpoint, String id) {
        Reply r = decide("promote " + id);
        if (r != null) {
            return r;
        }
        if (!learners.remove(id)) {
            return new Reply(409, id + " is not a learner");
        }
        voters.add(id);
        log.add("promoted " + id);
        return new Reply(200, "");
    }

    @Override
    public synchronized Reply remove(String endpoint, String id) {
        Reply r = decide("remove " + id);
        if (r != null) {
            return r;
        }
        if (!voters.remove(id) && !learners.remove(id)) {
            return new Reply(409, id + " is not a member");
        }
        log.add("removed " + id);
        if (id.equals(leader)) {
            leader = voters.iterator().next(); // a removed leader steps down once C(new) commits
        }
        return new Reply(200, "");
    }

    @Override
    public synchronized Reply transferLeader(String endpoint, String id) {
        Reply r = decide("lead " + id);
        if (r != null) {
            return r;
        }
        if (!voters.contains(id)) {
            return new Reply(409, id + " is not a voter");
        }
        log.add("leader " + leader + " -> " + id);
        leader = id;
        return new Reply(200, "");
    }
}
