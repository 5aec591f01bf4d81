package io.raftkit.kv;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A sorted map whose point-in-time views cost O(1) to take: an AVL tree whose nodes carry the
 * generation that made them. A node of the current generation is changed in place; any older
 * node is copied before it is changed (path copying), and {@link #freeze()} starts a new
 * generation, so every node a view can reach is never written again.
 *
 * <p>Why this structure for the KV state (the snapshot contract asks for a capture the loop thread
 * can afford between two applies):
 * <ul>
 *   <li>A {@code TreeMap} copy at capture costs O(n) on the loop: about 1 M entries is a stall of
 *       a large fraction of a second and twice the memory.</li>
 *   <li>An always-persistent tree (every write copies its path) makes every apply allocate about
 *       log2(n) nodes even when no snapshot is being written.</li>
 *   <li>A live {@code ConcurrentSkipListMap} plus an undo log of before-images read by the writer
 *       works, but its correctness rests on a subtle merge of two concurrently changing maps.</li>
 * </ul>
 * Generations give the persistent tree's safety at a mutable tree's cost: between snapshots a
 * write touches no new memory; after a capture the first write to each path copies that path
 * once (about 20 nodes at 1 M keys), and later writes to it are in place again. The memory kept
 * alive by a view is the nodes replaced while it is being written. No dependency: a persistent
 * sorted map from a library (Clojure's, pcollections, Vavr) would copy on every write.
 *
 * <p>Threads: the map is changed by one thread. A {@link View} may be read by any number of
 * threads at once, provided it reached them through a synchronizing hand-off (an executor, a
 * concurrent queue), which publishes the nodes as they were at {@link #freeze()}.
 */
final class CowTreeMap<K, V> {

    private static final class Node<K, V> {
        final K key;
        V value;
        Node<K, V> left;
        Node<K, V> right;
        int height;
        final long generation;

        Node(K key, V value, Node<K, V> left, Node<K, V> right, int height, long generation) {
            this.key = key;
            this.value = value;
            this.left = left;
            this.right = right;
            this.height = height;
            this.generation = generation;
        }
    }

    private final Comparator<? super K> order;
    private Node<K, V> root;
    private int size;
    /** Nodes of this generation may be changed in place; older ones belong to views. */
    private long generation;
    /** The value a put replaced or a remove took out (one thread: no need to return pairs). */
    private V previous;

    CowTreeMap(Comparator<? super K> order) {
        this.order = order;
    }

    int size() {
        return size;
    }

    /**
     * A map of {@code keys} (strictly increasing in {@code order}, which the caller has checked)
     * and their {@code values}, built perfectly balanced in O(n) without a comparison: what a
     * snapshot's records, which arrive in order, restore into.
     */
    static <K, V> CowTreeMap<K, V> ofSorted(Comparator<? super K> order, List<K> keys, List<V> values) {
        CowTreeMap<K, V> map = new CowTreeMap<>(order);
        map.root = map.build(keys, values, 0, keys.size());
        map.size = keys.size();
        return map;
    }

    private Node<K, V> build(List<K> keys, List<V> values, int from, int to) {
        if (from >= to) {
            return null;
        }
        int middle = (from + to) >>> 1;
        Node<K, V> left = build(keys, values, from, middle);
        Node<K, V> right = build(keys, values, middle + 1, to);
        return new Node<>(keys.get(middle), values.get(middle), left, right, 1 + Math.max(height(left), height(right)), generation);
    }

    V get(K key) {
        Node<K, V> n = root;
        while (n != null) {
            int c = order.compare(key, n.key);
            if (c == 0) {
                return n.value;
            }
            n = c < 0 ? n.left : n.right;
        }
        return null;
    }

    /** Sets {@code key} to {@code value}; returns the value it replaced, or null. */
    V put(K key, V value) {
        previous = null;
        root = insert(root, key, value);
        V replaced = previous;
        previous = null;
        return replaced;
    }

    /** Removes {@code key}; returns the value it had, or null when it was absent. */
    V remove(K key) {
        previous = null;
        root = delete(root, key);
        V removed = previous;
        previous = null;
        return removed;
    }

    /** The tree's height, for tests of its balance. */
    int height() {
        return height(root);
    }

    void clear() {
        root = null;
        size = 0;
        generation++;
    }

    /**
     * The map as it is now, unchanged by later writes; O(1). Later writes copy the nodes they
     * touch once, so take views only as often as they are needed.
     */
    View<K, V> freeze() {
        View<K, V> view = new View<>(root, size);
        generation++;
        return view;
    }

    /** The live entries in order; for the owning thread only, and no writes while iterating. */
    Iterator<Map.Entry<K, V>> iterator() {
        return new InOrder<>(root);
    }

    private Node<K, V> writable(Node<K, V> n) {
        return n.generation == generation ? n : new Node<>(n.key, n.value, n.left, n.right, n.height, generation);
    }

    private Node<K, V> insert(Node<K, V> n, K key, V value) {
        if (n == null) {
            size++;
            return new Node<>(key, value, null, null, 1, generation);
        }
        int c = order.compare(key, n.key);
        Node<K, V> w = writable(n);
        if (c == 0) {
            previous = w.value;
            w.value = value;
            return w;
        }
        if (c < 0) {
            w.left = insert(w.left, key, value);
        } else {
            w.right = insert(w.right, key, value);
        }
        return balance(w);
    }

    private Node<K, V> delete(Node<K, V> n, K key) {
        if (n == null) {
            return null;
        }
        int c = order.compare(key, n.key);
        if (c < 0) {
            Node<K, V> left = delete(n.left, key);
            if (left == n.left) {
                return n; // absent below: nothing changed, nothing copied
            }
            Node<K, V> w = writable(n);
            w.left = left;
            return balance(w);
        }
        if (c > 0) {
            Node<K, V> right = delete(n.right, key);
            if (right == n.right) {
                return n;
            }
            Node<K, V> w = writable(n);
            w.right = right;
            return balance(w);
        }
        previous = n.value;
        size--;
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        // Two children: the successor (the right subtree's smallest) takes this node's place.
        Node<K, V> successor = n.right;
        while (successor.left != null) {
            successor = successor.left;
        }
        Node<K, V> replacement = new Node<>(successor.key, successor.value, n.left, deleteMin(n.right), 0, generation);
        return balance(replacement);
    }

    private Node<K, V> deleteMin(Node<K, V> n) {
        if (n.left == null) {
            return n.right;
        }
        Node<K, V> w = writable(n);
        w.left = deleteMin(w.left);
        return balance(w);
    }

    private static int height(Node<?, ?> n) {
        return n == null ? 0 : n.height;
    }

    /** Restores the AVL bound on {@code w} (writable), whose subtrees are balanced; returns the subtree's root. */
    private Node<K, V> balance(Node<K, V> w) {
        int skew = height(w.left) - height(w.right);
        if (skew > 1) {
            if (height(w.left.left) < height(w.left.right)) {
                w.left = rotateLeft(writable(w.left));
            }
            return rotateRight(w);
        }
        if (skew < -1) {
            if (height(w.right.right) < height(w.right.left)) {
                w.right = rotateRight(writable(w.right));
            }
            return rotateLeft(w);
        }
        w.height = 1 + Math.max(height(w.left), height(w.right));
        return w;
    }

    private Node<K, V> rotateRight(Node<K, V> w) {
        Node<K, V> l = writable(w.left);
        w.left = l.right;
        w.height = 1 + Math.max(height(w.left), height(w.right));
        l.right = w;
        l.height = 1 + Math.max(height(l.left), height(l.right));
        return l;
    }

    private Node<K, V> rotateLeft(Node<K, V> w) {
        Node<K, V> r = writable(w.right);
        w.right = r.left;
        w.height = 1 + Math.max(height(w.left), height(w.right));
        r.left = w;
        r.height = 1 + Math.max(height(r.left), height(r.right));
        return r;
    }

    /** A frozen map: readable from any thread, never changed. */
    static final class View<K, V> implements Iterable<Map.Entry<K, V>> {
        private final Node<K, V> root;
        private final int size;

        private View(Node<K, V> root, int size) {
            this.root = root;
            this.size = size;
        }

        int size() {
            return size;
        }

        /** The entries in key order. */
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new InOrder<>(root);
        }
    }

    /** In-order walk with an explicit stack: an AVL tree of n nodes is at most 1.44 log2(n) deep. */
    private static final class InOrder<K, V> implements Iterator<Map.Entry<K, V>> {
        @SuppressWarnings("unchecked")
        private Node<K, V>[] stack = new Node[48];
        private int depth;

        InOrder(Node<K, V> root) {
            descendLeft(root);
        }

        private void descendLeft(Node<K, V> n) {
            while (n != null) {
                if (depth == stack.length) {
                    stack = java.util.Arrays.copyOf(stack, depth * 2);
                }
                stack[depth++] = n;
                n = n.left;
            }
        }

        @Override
        public boolean hasNext() {
            return depth > 0;
        }

        @Override
        public Map.Entry<K, V> next() {
            if (depth == 0) {
                throw new NoSuchElementException();
            }
            Node<K, V> n = stack[--depth];
            stack[depth] = null;
            descendLeft(n.right);
            return Map.entry(n.key, n.value);
        }
    }
}
