(ns raftkit.checker.txn-graph
  "A directed graph over transactions whose edges carry a bit set of dependency types (ww, wr, rw,
  rt), stored as compressed rows of int arrays: a 100,000-transaction graph is a few megabytes, and
  a pass over it is a loop over arrays, not over persistent maps. Cycle search needs two things from
  it: Tarjan's strongly connected components of the edges of some types, and a cheapest path inside
  one component (where an rw edge costs more than any path of other edges, so that a cycle with the
  fewest anti-dependencies is found first).")

(set! *warn-on-reflection* true)

(def ^:const ww 1)
(def ^:const wr 2)
(def ^:const rw 4)
(def ^:const rt 8)

(defn type-name [^long bit]
  (case bit 1 "ww" 2 "wr" 4 "rw" 8 "rt"))

(defn edges
  "An empty edge collector: one long per edge added, (source << 36 | target << 4 | type bit), sorted
  and merged by `build`. A HashMap keyed by (source << 32 | target) was the slowest part of checking
  100,000 transactions: Long's hash is source xor target, so the keys collided into tree bins."
  ^java.util.stream.LongStream$Builder []
  (java.util.stream.LongStream/builder))

(defn add-edge!
  "Adds the type `bit` to the edge a -> b. Self-edges are dropped: a transaction does not depend on itself."
  [^java.util.stream.LongStream$Builder edges ^long a ^long b ^long bit]
  (when-not (== a b)
    (.accept edges (bit-or (bit-shift-left a 36) (bit-shift-left b 4) bit))))

(defn build
  "The compressed graph of n nodes (fewer than 2^27): {:n, :offsets (node v's edges are
  [offsets[v], offsets[v+1])), :targets, :masks}, each edge once with the union of its types."
  [^long n ^java.util.stream.LongStream$Builder edges]
  (let [^longs all (.toArray (.build edges))
        _ (java.util.Arrays/sort all)
        total (alength all)
        ;; merge runs of the same (source, target)
        merged (long-array total)
        m (loop [i 0, m 0]
            (if (< i total)
              (let [x (aget all i)
                    pair (unsigned-bit-shift-right x 4)]
                (if (and (pos? m) (== pair (unsigned-bit-shift-right (aget merged (dec m)) 4)))
                  (do (aset merged (dec m) (bit-or (aget merged (dec m)) (bit-and x 15))) (recur (inc i) m))
                  (do (aset merged m x) (recur (inc i) (inc m)))))
              m))
        offsets (int-array (inc n))
        targets (int-array m)
        masks (int-array m)]
    (dotimes [i m]
      (let [x (aget merged i)
            a (unsigned-bit-shift-right x 36)]
        (aset targets i (int (bit-and (unsigned-bit-shift-right x 4) 0xffffffff)))
        (aset masks i (int (bit-and x 15)))
        (aset offsets (inc a) (inc (aget offsets (inc a))))))
    (dotimes [i n]
      (aset offsets (inc i) (+ (aget offsets (inc i)) (aget offsets i))))
    {:n n :offsets offsets :targets targets :masks masks}))

(defn sccs
  "Strongly connected components of two or more nodes, over the edges whose bits meet `allowed`,
  among the nodes v with within[v] >= 0 and only along edges that stay inside one `within` group
  (pass the components of a larger edge set: a cycle of fewer edge types lies inside one of them;
  nil means every node, one group). Iterative Tarjan, so a long chain cannot overflow the stack.
  Returns {:comp int[] (component id per node, -1 outside any) :components [int[] ...]}."
  [g ^long allowed within]
  (let [n (long (:n g))
        ^ints offsets (:offsets g) ^ints targets (:targets g) ^ints masks (:masks g)
        ^ints within (or within (int-array n 0))
        index (int-array n -1)
        low (int-array n)
        on (boolean-array n)
        stack (int-array n)
        call-node (int-array n)
        call-edge (int-array n)
        comp (int-array n -1)
        counters (int-array 3) ; next index, stack pointer, call stack pointer
        components (java.util.ArrayList.)
        visit (fn [^long v]
                (let [i (aget counters 0) sp (aget counters 1) csp (aget counters 2)]
                  (aset index v i) (aset low v i)
                  (aset stack sp (int v)) (aset on v true)
                  (aset call-node csp (int v)) (aset call-edge csp (aget offsets v))
                  (aset counters 0 (inc i)) (aset counters 1 (inc sp)) (aset counters 2 (inc csp))))]
    (dotimes [s n]
      (when (and (>= (aget within s) 0) (== -1 (aget index s)))
        (visit s)
        (while (pos? (aget counters 2))
          (let [top (dec (aget counters 2))
                v (aget call-node top)
                e (aget call-edge top)]
            (if (< e (aget offsets (inc v)))
              (let [w (aget targets e)]
                (aset call-edge top (inc e))
                (when (and (not (zero? (bit-and (aget masks e) allowed)))
                           (== (aget within w) (aget within v)))
                  (cond (== -1 (aget index w)) (visit w)
                        (aget on w) (aset low v (min (aget low v) (aget index w))))))
              (do
                (aset counters 2 top)
                (when (== (aget low v) (aget index v))
                  ;; v roots a component: pop it
                  (let [sp (aget counters 1)
                        start (loop [p (dec sp)] (if (== (aget stack p) v) p (recur (dec p))))
                        size (- sp start)]
                    (when (> size 1)
                      (let [members (java.util.Arrays/copyOfRange stack (int start) (int sp))
                            id (.size components)]
                        (doseq [m members] (aset comp (int m) (int id)))
                        (.add components members)))
                    (loop [p start] (when (< p sp) (aset on (aget stack p) false) (recur (inc p))))
                    (aset counters 1 (int start))))
                (when (pos? top)
                  (let [u (aget call-node (dec top))]
                    (aset low u (min (aget low u) (aget low v)))))))))))
    {:comp comp :components (vec components)}))

(def ^:const rw-cost
  "What one rw edge costs in a path: more than any path without one (components hold fewer nodes)."
  (bit-shift-left 1 32))

(defn weakest-type
  "The type an edge is read as among the `allowed` ones it has: the first of ww, wr, rw, rt. An
  edge that is both ww and rw is a write dependency; calling it an anti-dependency would invent an
  anomaly."
  ^long [^long bits ^long allowed]
  (let [b (bit-and bits allowed)]
    (cond (pos? (bit-and b ww)) ww
          (pos? (bit-and b wr)) wr
          (pos? (bit-and b rw)) rw
          (pos? (bit-and b rt)) rt
          :else 0)))

(defn cheapest-path
  "The cheapest path from src to dst over edges whose bits meet `allowed`, through nodes of
  component `id` in `comp` only; an rw edge costs rw-cost, any other 1 (Dijkstra). Returns
  {:cost c :steps [[from type-bit to] ...]} or nil."
  [g allowed ^ints comp id src dst]
  (let [allowed (long allowed) id (long id) src (long src) dst (long dst)
        ^ints offsets (:offsets g) ^ints targets (:targets g) ^ints masks (:masks g)
        dist (java.util.HashMap.)
        prev (java.util.HashMap.)
        queue (java.util.PriorityQueue. 16 (reify java.util.Comparator
                                             (compare [_ x y] (Long/compare (aget ^longs x 0) (aget ^longs y 0)))))]
    (.put dist (Long/valueOf src) (Long/valueOf 0))
    (.add queue (long-array [0 src]))
    (loop []
      (when-let [^longs top (.poll queue)]
        (let [d (aget top 0) v (aget top 1)]
          (cond
            (== v dst) nil
            (> d (long (.get dist (Long/valueOf v)))) (recur)
            :else
            (do
              (loop [e (aget offsets v)]
                (when (< e (aget offsets (inc v)))
                  (let [w (aget targets e)
                        t (weakest-type (aget masks e) allowed)]
                    (when (and (pos? t) (== id (aget comp w)))
                      (let [nd (+ d (if (== t rw) rw-cost 1))
                            old (.get dist (Long/valueOf w))]
                        (when (or (nil? old) (< nd (long old)))
                          (.put dist (Long/valueOf w) (Long/valueOf nd))
                          (.put prev (Long/valueOf w) (long-array [v t]))
                          (.add queue (long-array [nd w])))))
                    (recur (inc e)))))
              (recur))))))
    (when-let [cost (.get dist (Long/valueOf dst))]
      {:cost (long cost)
       :steps (loop [v dst, steps ()]
                (if (== v src)
                  (vec steps)
                  (let [^longs p (.get prev (Long/valueOf v))]
                    (recur (aget p 0) (conj steps [(aget p 0) (aget p 1) v])))))})))
