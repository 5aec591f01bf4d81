package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandshakeAdmissionTest {

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final InetAddress MEMBER = ip("10.0.0.1");
    private static final InetAddress STRANGER = ip("10.0.0.66");
    private static final InetAddress OTHER_STRANGER = ip("10.0.0.67");

    @Test
    void theOldestFromAnAddressGivesWayWhenThatAddressHasItsShare() {
        HandshakeAdmission<String> admission = new HandshakeAdmission<>(64, 2, Set.of(MEMBER));
        assertThat(admission.admit("s1", STRANGER)).isEmpty();
        assertThat(admission.admit("s2", STRANGER)).isEmpty();
        assertThat(admission.admit("s3", STRANGER)).containsExactly("s1");
        assertThat(admission.admit("o1", OTHER_STRANGER)).isEmpty();
        assertThat(admission.pending()).isEqualTo(3);
    }

    @Test
    void whenAllSlotsAreTakenTheOldestStrangerGivesWayNeverAMember() {
        HandshakeAdmission<String> admission = new HandshakeAdmission<>(3, 3, Set.of(MEMBER));
        admission.admit("m1", MEMBER);
        admission.admit("s1", STRANGER);
        admission.admit("o1", OTHER_STRANGER);
        assertThat(admission.admit("s2", STRANGER)).containsExactly("s1");
        assertThat(admission.admit("m2", MEMBER)).containsExactly("o1");
        // Only members' connections left: a stranger is refused, a member replaces the oldest.
        admission.release("s2");
        admission.admit("m3", MEMBER);
        assertThat(admission.admit("s3", STRANGER)).isNull();
        assertThat(admission.admit("m4", MEMBER)).containsExactly("m1");
    }

    @Test
    void aReleasedConnectionFreesItsSlotOnceHoweverOftenItIsReleased() {
        HandshakeAdmission<String> admission = new HandshakeAdmission<>(2, 1, Set.of());
        admission.admit("a", STRANGER);
        admission.release("a");
        admission.release("a");
        assertThat(admission.pending()).isZero();
        assertThat(admission.admit("b", STRANGER)).isEmpty();
        assertThat(admission.admit("c", OTHER_STRANGER)).isEmpty();
        assertThat(admission.admit("d", ip("10.0.0.68"))).isEqualTo(List.of("b"));
    }
}
