(ns raftkit.checker.prune
  "Shrinks a register or CAS register key's operations to an equivalent set before the search: the
  pruned history is linearizable exactly when the original is. Indeterminate operations (:info, or
  never completed) are what make WGL explode: each may take effect anywhere after its call or never,
  so k of them open 2^k configurations at every step. Three rewrites remove almost all of them.

  1. Reads that carry no value (nil: an :info read, or an :ok read of nil in the Knossos corpus) are
     legal in every state and change nothing, so they can be placed anywhere in their interval:
     dropping them changes no verdict.

  2. An indeterminate write or CAS whose resulting value v no remaining operation observes (no read
     returns v, no CAS of any outcome expects v) is dropped. Why that is sound: dropping an
     indeterminate operation never turns an invalid history valid, because the original may always
     choose never to apply it. Conversely take any linearization of the original that applies it at
     point t: from t until the next write or successful CAS the register holds v. The operations
     linearized in that window are writes (they ignore the state), value-less reads (they accept any
     state), and nothing else: a read of a value would have to return v, and a successful CAS would
     have to expect v, and neither exists. Remove the operation and those same operations are legal
     in the state before t, and every later state is unchanged. Dropping one can only remove
     observations of other values, so the rule is applied again until nothing changes; each single
     drop preserves the verdict, so the whole sequence does. Unique values make the rule fire: with
     the values 0-4 every value is read by someone, with a fresh value per write only the writes
     that really took effect are.

  3. An indeterminate write or CAS whose value v is written by no other operation and is not the
     initial state, and that some completed read or successful CAS observes, must have taken effect
     (nothing else could produce v) and before the earliest such observer completed (an observer
     follows its producer in any linearization). It is given that observer's completion as its
     return, which makes it determinate: every linearization of the original is one of the result,
     and the result only narrows the original's choices.

  Operations of other models pass through untouched.")

(defn- produced
  "The value a write or CAS leaves in the register when it takes effect."
  [{:keys [f value]}]
  (case f
    :write value
    :cas (second value)
    nil))

(defn- indeterminate? [op] (nil? (:ret op)))

(defn- producer? [op] (#{:write :cas} (:f op)))

(defn- observations
  "Values the operations observe, mapped to the observing operations: the value of a read, the
  expected value of a CAS (whatever its outcome: an indeterminate CAS may have observed it too)."
  [ops]
  (reduce (fn [m op]
            (case (:f op)
              :read (if (nil? (:value op)) m (update m (:value op) (fnil conj []) op))
              :cas (update m (first (:value op)) (fnil conj []) op)
              m))
          {}
          ops))

(defn- drop-unobserved
  "Rule 2, to a fixpoint."
  [ops]
  (loop [ops ops]
    (let [seen (observations ops)
          keep (filterv #(not (and (indeterminate? %) (producer? %) (not (contains? seen (produced %))))) ops)]
      (if (= (count keep) (count ops))
        ops
        (recur keep)))))

(defn- bound-by-observer
  "Rule 3: the return an indeterminate producer gets from the earliest completed observer of its
  unique value, or nil."
  [op seen producers initial]
  (let [v (produced op)]
    (when (and (= 1 (get producers v 0)) (not= v initial))
      (let [rets (keep (fn [o]
                         (when (and (:ret o) (> (:ret o) (:call op))
                                    (not (identical? o op)))
                           (:ret o)))
                       (get seen v))]
        (when (seq rets) (apply min rets))))))

(defn prune
  "The operations of one key (from raftkit.checker.history/operations), with the rewrites above for
  the register models, still sorted by call. Rewritten operations carry :raftkit/bounded-by (the
  position of the observer whose completion now ends them)."
  [ops model initial]
  (if-not (#{"register" "cas-register"} model)
    ops
    (let [ops (filterv #(not (and (= :read (:f %)) (nil? (:value %)))) ops)
          ops (drop-unobserved ops)
          seen (observations ops)
          producers (frequencies (keep #(when (producer? %) (produced %)) ops))
          ret->pos (into {} (keep (fn [o] (when (:ret o) [(:ret o) (:ret-pos o)]))) ops)]
      (mapv (fn [op]
              (if-let [ret (and (indeterminate? op) (producer? op) (bound-by-observer op seen producers initial))]
                (assoc op :ret ret :raftkit/bounded-by (ret->pos ret))
                op))
            ops))))
