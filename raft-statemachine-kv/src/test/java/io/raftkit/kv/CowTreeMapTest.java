package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CowTreeMapTest {

    private static List<Map.Entry<Integer, Integer>> entries(Iterable<Map.Entry<Integer, Integer>> view) {
        List<Map.Entry<Integer, Integer>> out = new ArrayList<>();
        view.forEach(out::add);
        return out;
    }

    /**
     * Random puts and removes against a TreeMap, freezing now and then: every view must still hold
     * exactly what the TreeMap held when it was frozen, however many writes came after.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261205})
    void everyFrozenViewKeepsTheMapAsItWasWhileTheLiveMapMatchesATreeMap(long seed) {
        Random random = new Random(seed);
        CowTreeMap<Integer, Integer> map = new CowTreeMap<>(Comparator.naturalOrder());
        TreeMap<Integer, Integer> reference = new TreeMap<>();
        List<CowTreeMap.View<Integer, Integer>> views = new ArrayList<>();
        List<List<Map.Entry<Integer, Integer>>> expected = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int key = random.nextInt(500);
            int op = random.nextInt(100);
            if (op < 55) {
                assertThat(map.put(key, step)).as("seed %d step %d put", seed, step).isEqualTo(reference.put(key, step));
            } else if (op < 99) {
                assertThat(map.remove(key)).as("seed %d step %d remove", seed, step).isEqualTo(reference.remove(key));
            } else {
                views.add(map.freeze());
                expected.add(new ArrayList<>(reference.entrySet()).stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
            }
            assertThat(map.size()).isEqualTo(reference.size());
        }
        assertThat(map.height()).as("AVL bound").isLessThanOrEqualTo((int) Math.ceil(1.4405 * Math.log(map.size() + 2) / Math.log(2)));
        assertThat(views).as("seed %d took views", seed).hasSizeGreaterThan(50);
        assertThat(entries(map::iterator)).isEqualTo(new ArrayList<>(reference.entrySet()).stream()
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        for (int i = 0; i < views.size(); i++) {
            assertThat(entries(views.get(i))).as("seed %d view %d", seed, i).isEqualTo(expected.get(i));
            assertThat(views.get(i).size()).isEqualTo(expected.get(i).size());
        }
        for (int key = 0; key < 500; key++) {
            assertThat(map.get(key)).isEqualTo(reference.get(key));
        }
    }

    @ParameterizedTest(name = "{0} sorted keys")
    @ValueSource(ints = {0, 1, 2, 7, 1_000, 65_537})
    void aMapBuiltFromSortedKeysIsBalancedAndTakesWritesAndViewsLikeAnyOther(int n) {
        List<Integer> keys = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        TreeMap<Integer, Integer> reference = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            keys.add(2 * i);
            values.add(i);
            reference.put(2 * i, i);
        }
        CowTreeMap<Integer, Integer> map = CowTreeMap.ofSorted(Comparator.naturalOrder(), keys, values);
        assertThat(map.size()).isEqualTo(n);
        assertThat(map.height()).isLessThanOrEqualTo(32 - Integer.numberOfLeadingZeros(n));
        CowTreeMap.View<Integer, Integer> built = map.freeze();
        List<Map.Entry<Integer, Integer>> atBuild = new ArrayList<>(reference.entrySet()).stream()
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        for (int i = 0; i < n; i += 3) {
            assertThat(map.put(2 * i + 1, -i)).isNull();
            reference.put(2 * i + 1, -i);
            assertThat(map.remove(2 * i)).isEqualTo(reference.remove(2 * i));
        }
        assertThat(entries(map::iterator)).isEqualTo(new ArrayList<>(reference.entrySet()).stream()
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        assertThat(entries(built)).isEqualTo(atBuild);
    }

    @ParameterizedTest(name = "{0} keys in order")
    @ValueSource(ints = {1, 1_000, 100_000})
    void keysInsertedInOrderStayBalanced(int n) {
        CowTreeMap<Integer, Integer> map = new CowTreeMap<>(Comparator.naturalOrder());
        for (int i = 0; i < n; i++) {
            map.put(i, i);
        }
        // AVL bound: height < 1.4405 log2(n + 2); in-order inserts would make a plain tree n deep.
        assertThat(map.height()).isLessThanOrEqualTo((int) Math.ceil(1.4405 * Math.log(n + 2) / Math.log(2)));
        int count = 0;
        for (var it = map.iterator(); it.hasNext(); it.next()) {
            count++;
        }
        assertThat(count).isEqualTo(n);
        assertThat(map.get(n - 1)).isEqualTo(n - 1);
        assertThat(map.get(n)).isNull();
    }
}
