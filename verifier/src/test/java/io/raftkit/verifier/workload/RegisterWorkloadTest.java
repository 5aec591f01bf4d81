package io.raftkit.verifier.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegisterWorkloadTest {

    @Test
    void everyWriteAndCasWritesAValueNeverWrittenBeforeOnItsKey() {
        RegisterWorkload w = new RegisterWorkload(3, 1_000_000);
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Set<String>> written = new HashMap<>();
        int casExpectingAWrittenValue = 0;
        for (int i = 0; i < 5000; i++) {
            Invocation op = w.next(random);
            String value = switch (op.f()) {
                case "write" -> (String) op.value();
                case "cas" -> (String) ((List<?>) op.value()).get(1);
                default -> null;
            };
            if (op.f().equals("cas") && written.getOrDefault(op.key(), Set.of()).contains(((List<?>) op.value()).get(0))) {
                casExpectingAWrittenValue++;
            }
            if (value != null) {
                assertThat(written.computeIfAbsent(op.key(), k -> new HashSet<>()).add(value)).as(op.key() + " " + value).isTrue();
                w.observe(op.key(), value);
            }
        }
        assertThat(casExpectingAWrittenValue).as("CASes that can succeed").isGreaterThan(500);
    }

    @Test
    void eachSlotMovesToAFreshKeyAfterItsOperationsAndTheFinalReadsCoverEveryKeyUsed() {
        RegisterWorkload w = new RegisterWorkload(2, 10);
        SplittableRandom random = new SplittableRandom(2);
        Map<String, Integer> perKey = new HashMap<>();
        for (int i = 0; i < 95; i++) {
            perKey.merge(w.next(random).key(), 1, Integer::sum);
        }
        assertThat(perKey.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
        assertThat(perKey.keySet()).contains("r0-0", "r0-1", "r1-0", "r1-1");
        assertThat(w.finalReads()).extracting(Invocation::key).containsExactlyInAnyOrderElementsOf(perKey.keySet());
    }
}
