(ns raftkit.checker.set
  "The set model: not a search, a comparison. Every add acknowledged :ok must be in the final read
  (else it was lost); every element read must have been added by some invocation (else it appeared
  from nowhere). Adds that ended :info may be present or absent.")

(defn check [events]
  (let [events  (filter #(integer? (:process %)) events)
        adds    (filter #(= :add (:f %)) events)
        invoked (set (keep #(when (= :invoke (:type %)) (:value %)) adds))
        acked   (set (keep #(when (= :ok (:type %)) (:value %)) adds))
        reads   (filter #(and (= :read (:f %)) (= :ok (:type %))) events)
        final   (last reads)]
    (if (nil? final)
      {:valid? :unknown :reason "no successful final read of the set"}
      (let [present (set (:value final))
            norm    (fn [s] (set (map str s)))
            lost    (sort (remove (norm present) (norm acked)))
            unexpected (sort (remove (norm invoked) (norm present)))]
        (if (and (empty? lost) (empty? unexpected))
          {:valid? true :acknowledged (count acked) :present (count present)}
          {:valid? false
           :lost (vec lost)
           :unexpected (vec unexpected)
           :acknowledged (count acked)
           :present (count present)})))))
