package io.raftkit.verifier.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workloads;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvRegisterWorkloadTest {

    @Test
    void everyWriteAndCasWritesAValueNeverWrittenBeforeOnItsKey() {
        KvRegisterWorkload w = new KvRegisterWorkload(3, 1_000_000);
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Set<String>> written = new HashMap<>();
        int casExpectingAWrittenValue = 0;
        for (int i = 0; i < 5000; i++) {
            Op op = w.next(random);
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
                w.completed(op, Completion.ok(op.value()));
            }
        }
        assertThat(casExpectingAWrittenValue).as("CASes that can succeed").isGreaterThan(500);
    }

    @Test
    void eachSlotMovesToAFreshKeyAfterItsOperationsAndTheFinalReadsCoverEveryKeyUsed() {
        KvRegisterWorkload w = new KvRegisterWorkload(2, 10);
        SplittableRandom random = new SplittableRandom(2);
        Map<String, Integer> perKey = new HashMap<>();
        for (int i = 0; i < 95; i++) {
            perKey.merge(w.next(random).key(), 1, Integer::sum);
        }
        assertThat(perKey.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10));
        assertThat(perKey.keySet()).contains("r0-0", "r0-1", "r1-0", "r1-1");
        assertThat(w.finalOps()).extracting(Op::key).containsExactlyInAnyOrderElementsOf(perKey.keySet());
    }

    @Test
    void theCliFindsTheRegisterWorkloadThroughServiceLoaderSizedByItsSettings() {
        KvRegisterWorkload w = (KvRegisterWorkload) Workloads.named("kv-register")
                .configure(java.util.Map.of("keys", "2", "ops-per-key", "10"));
        SplittableRandom random = new SplittableRandom(3);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            keys.add(w.next(random).key());
        }
        assertThat(keys).allSatisfy(k -> assertThat(k).matches("r[01]-[0-9]+"));
        assertThat(w.model().name()).isEqualTo("cas-register");
        assertThat(w.model().initialState()).isEqualTo(new io.raftkit.verifier.model.RegisterModel.Cell(KvRegisterWorkload.ABSENT));
    }

    @Test
    void aSettingThatIsNotANumberIsRefusedNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new KvRegisterWorkload().configure(java.util.Map.of("keys", "eight")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--keys").hasMessageContaining("eight");
    }
}
