package io.raftkit.verifier.nemesis;

import java.time.Duration;
import java.util.List;

/**
 * What the {@code membership} nemesis does when its turn comes: the changes it makes, in turn
 * ({@code --membership-changes rejoin,replace,move-leader}), and how long one change may take before
 * it gives up ({@code --membership-seconds}).
 */
public record MembershipPlan(List<String> changes, Duration timeout) {

    public static final MembershipPlan DEFAULT = new MembershipPlan(List.of("rejoin", "replace", "move-leader"), Duration.ofSeconds(40));

    public MembershipPlan {
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("--membership-changes needs at least one of rejoin, replace, move-leader");
        }
        changes.forEach(MembershipChange.Kind::parse); // names the bad one
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--membership-seconds must be positive, was " + timeout.toSeconds());
        }
    }

    MembershipChange.Kind kind(int turn) {
        return MembershipChange.Kind.parse(changes.get(turn % changes.size()));
    }
}
