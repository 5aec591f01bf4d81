(ns raftkit.checker.set
  "The set model: not a search, a comparison against the last successful read. An add acknowledged
  :ok before that read was invoked must be in it (else it was lost); every element read must have
  been added by some invocation (else it appeared from nowhere). Adds that ended :info, and adds
  still in flight when the read was invoked (acknowledged after it began), may be present or
  absent: the read may have been served before or after they took effect.")

(defn check [events]
  (let [events  (vec (keep-indexed (fn [i e] (when (integer? (:process e)) (assoc e ::at i))) events))
        adds    (filter #(= :add (:f %)) events)
        invoked (set (keep #(when (= :invoke (:type %)) (:value %)) adds))
        reads   (filter #(and (= :read (:f %)) (= :ok (:type %))) events)
        final   (last reads)]
    (if (nil? final)
      {:valid? :unknown :reason "no successful final read of the set"}
      (let [read-invoked (::at (last (filter #(and (= :read (:f %)) (= :invoke (:type %))
                                                  (= (:process %) (:process final)) (< (::at %) (::at final)))
                                             events)))
            acked   (set (keep #(when (and (= :ok (:type %)) (< (::at %) read-invoked)) (:value %)) adds))
            concurrent (count (filter #(and (= :ok (:type %)) (> (::at %) read-invoked)) adds))
            present (set (:value final))
            norm    (fn [s] (set (map str s)))
            lost    (sort (remove (norm present) (norm acked)))
            unexpected (sort (remove (norm invoked) (norm present)))]
        (if (and (empty? lost) (empty? unexpected))
          {:valid? true :acknowledged (count acked) :present (count present) :concurrent concurrent}
          {:valid? false
           :lost (vec lost)
           :unexpected (vec unexpected)
           :acknowledged (count acked)
           :present (count present)})))))
