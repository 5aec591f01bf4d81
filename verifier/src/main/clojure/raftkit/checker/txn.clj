(ns raftkit.checker.txn
  "Reads a list-append history into transactions, as Jepsen's list-append workload records them:
  each operation's :f is :txn and its :value a list of micro-ops, [:append k v] or [:r k list]
  (from JSONL: [\"append\", k, v] and [\"r\", k, list]). An invocation's reads carry nil; an :ok
  completion carries what each read saw. A :fail had no effect; an :info, or an invocation never
  completed, may have had its effect or not, and what its reads saw is unknown.

  A micro-op of the wrong shape, an ok completion that does not match its invocation, or a value
  appended twice to one key (the inference needs each appended value unique per key, as the
  workload makes them) is refused with an IllegalArgumentException naming the line: guessing would
  give a verdict about some other history."
  (:require [raftkit.checker.history :as history]))

(set! *warn-on-reflection* true)

(defn- mop-f [x]
  (cond (or (= x :append) (= x "append")) :append
        (or (= x :r) (= x "r")) :r
        :else nil))

(defn- scalar? [x]
  (and (some? x) (not (coll? x)) (not (instance? java.util.Map x)) (not (instance? java.util.Collection x))))

(defn- refuse [at & parts]
  (throw (IllegalArgumentException. ^String (apply str (at) ": " parts))))

(defn- parse-mops
  "The micro-ops of one event's value as [f k v] vectors; reads' lists as vectors (nil allowed when
  `reads-known?` is false)."
  [value at reads-known?]
  (when-not (sequential? value)
    (refuse at "a transaction's value must be a list of micro-ops [:append k v] or [:r k list], was " (pr-str value)))
  (vec
    (map-indexed
      (fn [i mop]
        (let [what #(str "micro-op " (inc i) " of the transaction, " (pr-str mop) ", " %)]
          (when-not (and (sequential? mop) (= 3 (count mop)))
            (refuse at (what "is not [:append key value] or [:r key list]")))
          (let [[f k v] mop
                f' (mop-f f)]
            (when-not f'
              (refuse at (what (str "has the function " (pr-str f) "; only :append and :r are known"))))
            (when-not (scalar? k)
              (refuse at (what "has no key (nil or a collection)")))
            (case f'
              :append (do (when-not (scalar? v)
                            (refuse at (what "appends no value (nil or a collection)")))
                          [:append k v])
              :r (cond (nil? v) (if reads-known?
                                  (refuse at (what "is a read with no list in an :ok completion"))
                                  [:r k nil])
                       (and (sequential? v) (every? scalar? v)) [:r k (if reads-known? (vec v) nil)]
                       :else (refuse at (what "reads something that is not a list of values")))))))
      value)))

(defn- same-shape? [invoked completed]
  (and (= (count invoked) (count completed))
       (every? true? (map (fn [[f k v] [f' k' v']]
                            (and (= f f') (= k k') (or (= f :r) (= v v'))))
                          invoked completed))))

(defn transactions
  "The history's transactions in invocation order, each {:id :process :type (:ok :info :fail)
  :mops :invoke-position :complete-position (nil when never completed) :raftkit/line}, and the real-time
  edges between them as [a b] pairs (a completed ok before b was invoked). Expects events that
  passed raftkit.checker.history/validate.

  Real-time edges by the frontier technique, so they stay near linear: a transaction invoked gets
  an edge from each transaction of the frontier, the ok transactions completed so far that no later
  completed transaction already follows; when it completes ok, those leave the frontier (their
  order with anything later is implied through it) and it joins. The frontier stays about as large
  as the number of clients."
  [events]
  (let [events (vec events)
        txns (java.util.ArrayList.)
        rt (java.util.ArrayList.)]
    (loop [i 0, open {}, frontier #{}]
      (if (< i (count events))
        (let [e (nth events i)
              p (:process e)
              pos (:raftkit/position e i)
              at #(history/where e pos)]
          (if-not (integer? p)
            (recur (inc i) open frontier)
            (if (= :invoke (:type e))
              (let [id (.size txns)
                    mops (parse-mops (:value e) at false)]
                (.add txns nil)
                (recur (inc i)
                       (assoc open p {:id id :process p :mops mops :invoke-position pos
                                      :raftkit/line (:raftkit/line e) :preds frontier})
                       frontier))
              (let [inv (get open p)
                    t (:type e)
                    mops (if (= t :ok)
                           (let [done (parse-mops (:value e) at true)]
                             (when-not (same-shape? (:mops inv) done)
                               (refuse at "the :ok completion's micro-ops " (pr-str (:value e))
                                       " do not match the invocation's (the same functions, keys and appended values, in order)"))
                             done)
                           (:mops inv))
                    txn (-> inv (dissoc :preds) (assoc :type t :mops mops :complete-position pos))]
                (.set txns (int (:id inv)) txn)
                (when-not (= t :fail)
                  (doseq [a (:preds inv)] (.add rt [a (:id inv)])))
                (recur (inc i) (dissoc open p)
                       (if (= t :ok) (conj (reduce disj frontier (:preds inv)) (:id inv)) frontier))))))
        (do
          (doseq [[_ inv] open]
            (.set txns (int (:id inv)) (-> inv (dissoc :preds) (assoc :type :info :complete-position nil)))
            (doseq [a (:preds inv)] (.add rt [a (:id inv)])))
          {:txns (vec txns) :rt (vec rt)})))))

(defn writers
  "key -> (value -> id of the transaction that appended it), over every transaction (failed ones
  too: reading their values is an aborted read). A value appended twice to a key is refused."
  [txns]
  (let [by-key (java.util.HashMap.)]
    (doseq [t txns
            [f k v] (:mops t)
            :when (= f :append)]
      (let [^java.util.HashMap m (or (.get by-key k) (let [m (java.util.HashMap.)] (.put by-key k m) m))
            prior (.get m v)]
        (when prior
          (let [other (nth txns prior)]
            (throw (IllegalArgumentException.
                     (str (history/where t (:invoke-position t)) ": appends " (pr-str v) " to key " (pr-str k)
                          ", which " (history/where other (:invoke-position other)) " appends too;"
                          " the checker needs every appended value unique per key")))))
        (.put m v (:id t))))
    by-key))

(defn writer
  "The id of the transaction that appended v to k, or nil."
  [^java.util.HashMap writers k v]
  (when-let [^java.util.HashMap m (.get writers k)]
    (.get m v)))
