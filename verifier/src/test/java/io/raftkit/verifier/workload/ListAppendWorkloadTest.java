package io.raftkit.verifier.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ListAppendWorkloadTest {

    @Test
    void appendsAreUniquePerKeyAndAKeyRetiresAfterItsAppends() {
        ListAppendWorkload workload = new ListAppendWorkload(2, 5);
        SplittableRandom random = new SplittableRandom(7);
        Map<Object, Set<Object>> appended = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            List<List<Object>> txn = workload.next(random);
            assertThat(txn).hasSizeBetween(1, ListAppendWorkload.MAX_MOPS);
            for (List<Object> mop : txn) {
                if (mop.get(0).equals("append")) {
                    assertThat(appended.computeIfAbsent(mop.get(1), k -> new HashSet<>()).add(mop.get(2)))
                            .as("%s appended once to %s", mop.get(2), mop.get(1)).isTrue();
                } else {
                    assertThat(mop.get(0)).isEqualTo("r");
                    assertThat(mop.get(2)).isNull();
                }
            }
        }
        assertThat(appended.values()).allSatisfy(values -> assertThat(values.size()).isLessThanOrEqualTo(5));
        assertThat(appended.keySet().size()).as("keys retired and replaced").isGreaterThan(10);
    }

    @Test
    void finalReadsCoverEveryKeyUsedInBatches() {
        ListAppendWorkload workload = new ListAppendWorkload(3, 1);
        SplittableRandom random = new SplittableRandom(1);
        Set<Object> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            workload.next(random).forEach(mop -> used.add(mop.get(1)));
        }
        Set<Object> read = new HashSet<>();
        for (List<List<Object>> txn : workload.finalReads()) {
            assertThat(ListAppendWorkload.readOnly(txn)).isTrue();
            assertThat(txn.size()).isLessThanOrEqualTo(16);
            txn.forEach(mop -> read.add(mop.get(1)));
        }
        assertThat(read).containsAll(used);
    }
}
