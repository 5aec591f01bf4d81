(ns raftkit.checker.list-append
  "A list-append checker in the manner of Elle (Kingsbury and Alvaro, VLDB 2020). Appends to a
  list reveal the order of versions: a read of [1 2 3] says 1, 2 and 3 were appended in that order,
  so every read of a key must be a prefix of its longest read, and that longest read is the key's
  version order. From the orders come the dependencies between transactions (ww: T2 appended the
  version right after T1's; wr: T2 read T1's version; rw: T1 read the version just before the one
  T2 appended), plus real-time order (T1 completed before T2 was invoked). A cycle in that graph is
  an anomaly, named by Adya's classes from its edges; the other anomalies are found per read.

  Every step is linear in the history, or n log n: one pass to pair events, one per read to check
  prefixes against the longest (only the longest is scanned element by element), Tarjan's
  components, and a cheapest-path search only inside a component found to be cyclic."
  (:require [raftkit.checker.history :as history]
            [raftkit.checker.txn :as txn]
            [raftkit.checker.txn-graph :as g]))

(set! *warn-on-reflection* true)

(def ^:private max-examples
  "Examples kept per anomaly class; the count says how many there were."
  8)

(defn- describe-txn [t]
  (cond-> {"name" (str "T" (:invoke-position t))
           "process" (:process t) "type" (name (:type t)) "value" (pr-str (:mops t))
           "invoke-position" (:invoke-position t)}
    (:complete-position t) (assoc "complete-position" (:complete-position t))
    (:raftkit/line t) (assoc "line" (:raftkit/line t))))

(defn- tname [t] (str "T" (:invoke-position t)))

(defn- internal-reads
  "For an ok transaction: its internal anomalies (a read that disagrees with what the transaction
  itself read or appended before on that key), and its external reads: key -> the first read of the
  key with the transaction's own earlier appends taken off its end (what it saw of the others)."
  [t]
  (loop [mops (:mops t), state {}, external {}, anomalies []]
    (if-let [[f k v] (first mops)]
      (let [[kind known] (get state k [:suffix []])]
        (if (= f :append)
          (recur (rest mops) (assoc state k [kind (conj known v)]) external anomalies)
          (let [n (count v) m (count known)
                ok? (if (= kind :known)
                      (= v known)
                      (and (>= n m) (= known (subvec v (- n m)))))
                external (if (or (contains? external k) (not ok?) (= kind :known))
                           external
                           (assoc external k (subvec v 0 (- n m))))]
            (recur (rest mops) (assoc state k [:known v]) external
                   (if ok? anomalies
                       (conj anomalies {"op" (describe-txn t) "key" (pr-str k) "read" (pr-str v)
                                        "expected" (if (= kind :known)
                                                     (pr-str known)
                                                     (str "a list ending in " (pr-str known)
                                                          ", its own appends so far"))}))))))
      {:external external :internal anomalies})))

(defn- version-orders
  "Per key: the longest read of an ok transaction, and the anomalies of reads that are not its
  prefixes, or of values in it twice. Keys with either anomaly get no order: edges inferred from an
  order that does not exist would be inventions. Returns {:orders {k order} :incompatible [..]
  :duplicates [..] :reads {k [[txn read] ..]}}."
  [txns]
  (let [reads (java.util.HashMap.)]
    (doseq [t txns :when (= :ok (:type t)), [f k v] (:mops t) :when (= f :r)]
      (let [^java.util.ArrayList l (or (.get reads k) (let [l (java.util.ArrayList.)] (.put reads k l) l))]
        (.add l [t v])))
    (reduce
      (fn [acc [k rs]]
        (let [[lt longest] (reduce (fn [[_ a :as x] [_ b :as y]] (if (> (count b) (count a)) y x)) rs)
              bad (first (remove (fn [[_ r]] (.equals ^java.util.List (.subList ^java.util.List longest 0 (count r)) r)) rs))
              seen (java.util.HashSet.)
              dup (first (remove #(.add seen %) longest))]
          (cond-> acc
            bad (update :incompatible conj {"key" (pr-str k)
                                            "read" (pr-str (second bad)) "op" (describe-txn (first bad))
                                            "longest-read" (pr-str longest) "longest-op" (describe-txn lt)})
            dup (update :duplicates conj {"key" (pr-str k) "value" (pr-str dup) "read" (pr-str longest)
                                          "op" (describe-txn lt)})
            (not (or bad dup)) (update :orders assoc k longest)
            true (update :reads assoc k rs))))
      {:orders {} :incompatible [] :duplicates [] :reads {}}
      reads)))

(defn- read-anomalies
  "Aborted reads (G1a: a value only a failed transaction appended), garbage (a value no one
  appended), and intermediate reads (G1b: a read by another transaction that ends at a value its
  writer followed with another append to the same key). Each value is reported once."
  [txns writers {:keys [orders reads]} externals]
  (let [g1a (java.util.LinkedHashMap.) garbage (java.util.LinkedHashMap.) g1b (java.util.ArrayList.)
        check-value (fn [t k v]
                      (let [w (txn/writer writers k v)]
                        (cond (nil? w) (.putIfAbsent garbage [k v] {"op" (describe-txn t) "key" (pr-str k) "value" (pr-str v)})
                              (= :fail (:type (nth txns w)))
                              (.putIfAbsent g1a [k v] {"op" (describe-txn t) "key" (pr-str k) "value" (pr-str v)
                                                       "writer" (describe-txn (nth txns w))}))))]
    ;; a key with an order: every read is a prefix of it, so its values are all the values read
    (doseq [[k rs] reads]
      (if-let [order (get orders k)]
        (let [[t] (first (filter #(= (count (second %)) (count order)) rs))]
          (doseq [v order] (check-value t k v)))
        (doseq [[t r] rs, v r] (check-value t k v))))
    (doseq [[t external] externals, [k r] external :when (seq r)]
      (let [v (peek r) w (txn/writer writers k v)]
        (when (and w (not= w (:id t)))
          (let [wt (nth txns w)
                own (keep (fn [[f k' v']] (when (and (= f :append) (= k' k)) v')) (:mops wt))]
            (when (not= v (last own))
              (.add g1b {"op" (describe-txn t) "key" (pr-str k) "value" (pr-str v) "read" (pr-str r)
                         "writer" (describe-txn wt) "final-append" (pr-str (last own))}))))))
    {"G1a" (vec (.values g1a)) "garbage-read" (vec (.values garbage)) "G1b" (vec g1b)}))

(defn- dependency-edges
  "ww, wr and rw edges from the version orders and each ok transaction's external reads. Failed
  writers get no edges (their reads are G1a already)."
  [txns writers orders externals]
  (let [edges (g/edges)
        live (fn [w] (when (and w (not= :fail (:type (nth txns w)))) w))]
    (doseq [[k order] orders]
      (loop [prev nil, vs (seq order)]
        (when vs
          (let [w (live (txn/writer writers k (first vs)))]
            (when (and prev w) (g/add-edge! edges prev w g/ww))
            (recur w (next vs))))))
    (doseq [[t external] externals, [k r] external]
      (when-let [order (get orders k)]
        (when-let [w (and (seq r) (live (txn/writer writers k (peek r))))]
          (g/add-edge! edges w (:id t) g/wr))
        (when (< (count r) (count order))
          (when-let [w (live (txn/writer writers k (nth order (count r))))]
            (g/add-edge! edges (:id t) w g/rw)))))
    edges))

(defn- why
  "One sentence for the edge a -> b read as `type`."
  [txns writers orders externals a type b]
  (let [ta (nth txns a) tb (nth txns b)
        appends (fn [t] (keep (fn [[f k v]] (when (= f :append) [k v])) (:mops t)))]
    (or (case (long type)
          1 (first (for [[k v] (appends ta)
                         :let [order (get orders k) i (when order (.indexOf ^java.util.List order v))]
                         :when (and i (>= i 0) (< (inc i) (count order))
                                    (= b (txn/writer writers k (nth order (inc i)))))]
                     (str (tname tb) " appended " (pr-str (nth order (inc i))) " to " (pr-str k)
                          " right after " (tname ta) "'s " (pr-str v))))
          2 (first (for [[k r] (get externals b)
                         :when (and (seq r) (= a (txn/writer writers k (peek r))))]
                     (str (tname tb) " read " (pr-str k) " ending in " (pr-str (peek r)) ", which " (tname ta) " appended")))
          4 (first (for [[k r] (get externals a)
                         :let [order (get orders k)]
                         :when (and order (< (count r) (count order))
                                    (= b (txn/writer writers k (nth order (count r)))))]
                     (str (tname ta) " read " (pr-str k) " as " (pr-str r) ", without " (pr-str (nth order (count r)))
                          ", which " (tname tb) " appended next")))
          8 (str (tname ta) " completed (position " (:complete-position ta) ") before " (tname tb)
                 " was invoked (position " (:invoke-position tb) ")"))
        (str (tname ta) " " (g/type-name type) " " (tname tb)))))

(defn- classify
  "Adya's class of a cycle from the types its edges are read as."
  [types]
  (let [n (fn [t] (count (filter #(== t (long %)) types)))
        base (cond (>= (n g/rw) 2) "G2" (= 1 (n g/rw)) "G-single" (pos? (n g/wr)) "G1c" :else "G0")]
    (if (pos? (n g/rt)) (str base "-realtime") base)))

(def ^:private searches
  "Which edge types each search may use, and the type the cycle must go through (read as that type
  only if the edge has none of the search's weaker types: otherwise the cycle is a weaker one,
  found by an earlier search). Order: G0, G1c, G-single/G2, then each with real-time edges."
  [[g/ww g/ww]
   [(bit-or g/ww g/wr) g/wr]
   [(bit-or g/ww g/wr g/rw) g/rw]
   [(bit-or g/ww g/rt) g/rt]
   [(bit-or g/ww g/wr g/rt) g/rt]
   [(bit-or g/ww g/wr g/rw g/rt) g/rt]])

(def ^:private tries-per-component
  "Edges of each anchor type tried per component, looking for the cycle with the fewest rw edges."
  8)

(defn- component-cycle
  "A cycle through an edge of type `need` inside component `id`, with the fewest rw edges found
  over up to tries-per-component anchor edges, or nil. Anchors are `need` edges (and, when looking
  for a real-time cycle that may have rw edges, rw edges too: a stale read's cycle is one rw edge
  back and any chain of real-time edges forward, found cheapest from the rw edge). A cycle counts
  only if it has an edge of type `need` as read; one without is a weaker class, found before.
  Returns [[from type to] ...]."
  [graph allowed need ^ints comp id members]
  (let [^ints offsets (:offsets graph) ^ints targets (:targets graph) ^ints masks (:masks graph)
        anchors (if (and (== need g/rt) (pos? (bit-and allowed g/rw))) [g/rt g/rw] [need])
        edges-of (fn [t]
                   (let [weaker (bit-and allowed (dec t))]
                     (for [a members
                           e (range (aget offsets (int a)) (aget offsets (inc (int a))))
                           :let [b (aget targets e) m (aget masks e)]
                           :when (and (== id (aget comp b)) (pos? (bit-and m t)) (zero? (bit-and m weaker)))]
                       [a t b])))
        ;; one rw edge is the fewest a cycle needing rw, or found only with rw edges allowed, can have
        enough (if (pos? (bit-and allowed g/rw)) (* 2 g/rw-cost) g/rw-cost)]
    (loop [cs (mapcat #(take tries-per-component (edges-of %)) anchors), best nil]
      (if-let [[a t b] (first cs)]
        (let [path (g/cheapest-path graph allowed comp id b a)
              steps (when path (into [[a t b]] (:steps path)))
              cost (when path (+ (long (:cost path)) (if (== (long t) g/rw) g/rw-cost 1)))
              best (if (and steps (some #(== need (long (second %))) steps)
                            (or (nil? best) (< (long cost) (long (:cost best)))))
                     {:cost cost :steps steps}
                     best)]
          (if (and best (< (long (:cost best)) enough)) (:steps best) (recur (rest cs) best)))
        (:steps best)))))

(defn- cycles
  "Cycle anomalies by class: {class [{\"cycle\" [...] \"summary\" ...}]}, each class's list holding at
  most max-examples, and the counts."
  [graph explain-edge]
  (let [full (g/sccs graph (bit-or g/ww g/wr g/rw g/rt) nil)
        found (java.util.LinkedHashMap.)
        counts (java.util.HashMap.)
        seen (java.util.HashSet.)]
    (when (seq (:components full))
      (doseq [[allowed need] searches
              :let [{:keys [comp components]} (g/sccs graph allowed (:comp full))]
              [id members] (map-indexed vector components)]
        (when-let [steps (component-cycle graph allowed need comp id members)]
          (let [cls (classify (map second steps))]
            (when (.add seen [cls (vec (sort (map first steps)))])
              (.merge counts cls 1 (reify java.util.function.BiFunction (apply [_ x y] (+ (long x) (long y)))))
              (let [^java.util.ArrayList l (or (.get found cls) (let [l (java.util.ArrayList.)] (.put found cls l) l))]
                (when (< (.size l) max-examples)
                  (.add l (explain-edge steps)))))))))
    {:found (into {} (map (fn [[k v]] [k (vec v)])) found)
     :counts (into {} counts)}))

(def anomaly-classes
  "Every class this checker reports, in the order reports list them."
  ["G0" "G1a" "G1b" "G1c" "G-single" "G2" "G0-realtime" "G1c-realtime" "G-single-realtime" "G2-realtime"
   "internal" "incompatible-order" "duplicate-elements" "garbage-read"])

(defn check
  "Checks a list-append history (normalized events). Returns a map with string keys: valid (\"true\",
  \"false\", \"unknown\"), anomalies (class -> examples, at most 8 each), counts (class -> how
  many), transactions {ok, info, fail}, edges (how many the graph has), and reason when unknown."
  [events]
  (history/validate events "list-append")
  (let [{:keys [txns rt]} (txn/transactions events)
        writers (txn/writers txns)
        oks (filterv #(= :ok (:type %)) txns)
        internals (mapv (fn [t] [t (internal-reads t)]) oks)
        externals (mapv (fn [[t r]] [t (:external r)]) internals)
        vo (version-orders txns)
        edges (dependency-edges txns writers (:orders vo) externals)
        _ (doseq [[a b] rt] (g/add-edge! edges a b g/rt))
        graph (g/build (count txns) edges)
        ext-by-id (into {} (map (fn [[t e]] [(:id t) e])) externals)
        explain (fn [steps]
                  {"cycle" (mapv (fn [[a type b]]
                                   {"from" (describe-txn (nth txns a)) "type" (g/type-name type)
                                    "to" (describe-txn (nth txns b))
                                    "why" (why txns writers (:orders vo) ext-by-id a type b)})
                                 steps)
                   "summary" (apply str (tname (nth txns (ffirst steps)))
                                    (map (fn [[_ type b]] (str " -" (g/type-name type) "-> " (tname (nth txns b)))) steps))})
        {:keys [found counts]} (cycles graph explain)
        listed (merge (read-anomalies txns writers vo externals)
                      {"internal" (vec (mapcat (comp :internal second) internals))
                       "incompatible-order" (:incompatible vo)
                       "duplicate-elements" (:duplicates vo)})
        anomalies (merge (into {} (keep (fn [[k v]] (when (seq v) [k (vec (take max-examples v))]))) listed) found)
        counts (merge (into {} (keep (fn [[k v]] (when (seq v) [k (count v)]))) listed) counts)
        tally (frequencies (map :type txns))]
    (cond-> {"valid" (cond (seq anomalies) "false"
                           (zero? (count oks)) "unknown"
                           :else "true")
             "anomalies" (into (sorted-map-by #(compare (.indexOf ^java.util.List anomaly-classes %1)
                                                        (.indexOf ^java.util.List anomaly-classes %2)))
                               anomalies)
             "counts" counts
             "transactions" {"ok" (get tally :ok 0) "info" (get tally :info 0) "fail" (get tally :fail 0)}
             "edges" (long (alength ^ints (:targets graph)))}
      (and (empty? anomalies) (zero? (count oks)))
      (assoc "reason" "no transaction committed (:ok), so there is nothing to check"))))
