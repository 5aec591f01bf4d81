package io.raftkit.verifier.nemesis;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The KV store's membership API as the nemesis uses it ({@code GET/POST /v1/members},
 * {@code POST /v1/members/{id}/promote}, {@code DELETE /v1/members/{id}}, {@code POST /v1/leader}).
 * Every call returns an answer, never throws: a node that is down, cut off or slow is a
 * {@link Reply} with status {@link Reply#NO_ANSWER}. Tests give the nemesis a fake.
 */
public interface Members {

    /**
     * One answer.
     *
     * @param status  the HTTP status, or {@link #NO_ANSWER}
     * @param message the refusal's message, or what went wrong on the way
     */
    record Reply(int status, String message) {
        public static final int NO_ANSWER = 0;

        public boolean ok() {
            return status == 200;
        }

        /** A refusal that will not change by asking again (a bad request), as opposed to a 409 or a 503. */
        public boolean isFinal() {
            return status == 400 || status == 404;
        }

        @Override
        public String toString() {
            return status == NO_ANSWER ? "no answer (" + message + ")" : "HTTP " + status + (message.isBlank() ? "" : " " + message);
        }
    }

    /** One member as {@code GET /v1/members} lists it. */
    record Member(String id, boolean voter, boolean outgoing) {
    }

    /** The configuration a node reports. */
    record View(Optional<String> leader, boolean joint, List<Member> members) {

        public View {
            members = List.copyOf(members);
        }

        public Optional<Member> member(String id) {
            return members.stream().filter(m -> m.id().equals(id)).findFirst();
        }

        public Set<String> ids() {
            Set<String> ids = new TreeSet<>();
            members.forEach(m -> ids.add(m.id()));
            return ids;
        }

        /** Voters of the configuration being entered (outgoing-only voters of a joint one left out). */
        public Set<String> voters() {
            Set<String> ids = new TreeSet<>();
            members.stream().filter(m -> m.voter() && !m.outgoing()).forEach(m -> ids.add(m.id()));
            return ids;
        }

        /** Exactly {@code voters} vote, nothing is joint and there is no learner: a full membership. */
        public boolean settledOn(Set<String> voters) {
            return !joint && members.stream().allMatch(m -> m.voter() && !m.outgoing()) && ids().equals(new TreeSet<>(voters));
        }
    }

    /** A node's log progress as its {@code GET /v1/status} reports it. */
    record Progress(long commitIndex, long appliedIndex) {
    }

    /** {@code GET /v1/status} at {@code endpoint}; empty when it did not answer (down, cut off, still starting). */
    Optional<Progress> progress(String endpoint);

    /** {@code GET /v1/members} at {@code endpoint}; empty when it did not answer 200 with a readable body. */
    Optional<View> view(String endpoint);

    /** {@code POST /v1/members}: adds {@code id} as a learner; 200 once committed. */
    Reply add(String endpoint, String id, String raft, String http);

    /** {@code POST /v1/members/{id}/promote}: 200 once C(new) is committed. */
    Reply promote(String endpoint, String id);

    /** {@code DELETE /v1/members/{id}}: 200 once C(new) is committed. */
    Reply remove(String endpoint, String id);

    /** {@code POST /v1/leader}: 200 once {@code id} leads. */
    Reply transferLeader(String endpoint, String id);
}
