(ns raftkit.checker.core
  "Entry points called from Java (io.raftkit.verifier.checker.Checker): read a history, split it by
  key, and check each key's operations against a model."
  (:require [raftkit.checker.history :as history]
            [raftkit.checker.wgl :as wgl]
            [raftkit.checker.prune :as prune]
            [raftkit.checker.set :as set-check]
            [raftkit.checker.models :as models]
            [clojure.edn :as edn]))

(defn read-edn-history
  "Events of an EDN file's text, normalized."
  [^String text]
  (vec (map-indexed history/normalize (history/read-edn text))))

(defn validate
  "Refuses a history whose events do not pair up, or whose functions the model does not know
  (IllegalArgumentException naming the line). Returns the events."
  [events model]
  (history/validate events model))

(defn normalize-events
  "Events given as Java maps (from JSONL), normalized."
  [java-events]
  (vec (map-indexed history/normalize java-events)))

(defn parse-initial
  "The --initial argument as EDN: 0, nil, \"a\", {:x 0 :y 0}."
  [^String text]
  (edn/read-string text))

(defn split-by-key
  "Each key's client events in one pass, as [key events] pairs in first-seen order, each event tagged
  with its position in the whole history (:raftkit/position) so explanations point into the file,
  not the slice. Nemesis events are left out: the reading ignores them. A history with no client
  event is one slice, under nil, so that it is still reported (as checking nothing)."
  [events]
  (let [slices (java.util.LinkedHashMap.)]
    (dotimes [i (count events)]
      (let [e (nth events i)]
        (when (integer? (:process e))
          (let [k (:key e)
                ^java.util.ArrayList slice (or (.get slices k)
                                                (let [l (java.util.ArrayList.)] (.put slices k l) l))]
            (.add slice (assoc e :raftkit/position i))))))
    (if (.isEmpty slices)
      [[nil (vec events)]]
      (mapv (fn [[k v]] [k (vec v)]) slices))))

(defn- describe-op [op]
  (when op
    (cond-> {"process" (:process op) "f" (name (:f op)) "value" (pr-str (:value op))
             "invoke-position" (:pos op) "complete-position" (:ret-pos op)}
      (:info-pos op) (assoc "info-position" (:info-pos op))
      (:raftkit/bounded-by op) (assoc "bounded-by-position" (:raftkit/bounded-by op)))))

(defn- show
  "A model state for the explanation: EDN for the built-in models' Clojure values, toString for a
  Java model's states (records print themselves readably; pr-str would wrap them in #object)."
  [model s]
  (if (models/java-model? model) (str s) (pr-str s)))

(defn- check-key* [events model initial cancel deadline-nanos max-bytes prune-fn]
  (let [result (cond
                 ;; Vacuously valid, as Knossos has it (the corpus holds such histories), but said
                 ;; aloud: an empty file, or processes written as strings, would otherwise pass unseen.
                 (not-any? #(integer? (:process %)) events)
                 {:valid? true
                  :reason "nothing checked: no client operations (no event has an integer :process; others are read as the nemesis)"}
                 (= model "set") (set-check/check events)
                 :else (let [ops (cond->> (history/operations events)
                                   ;; each op's Java form once, for a Java model's step function
                                   (models/java-model? model)
                                   (mapv #(assoc % :raftkit/op (io.raftkit.verifier.checker.JavaValues/op (:f %) (:value %) (:key %)))))
                             pruned (prune-fn ops model initial)]
                         (assoc (wgl/check pruned model initial cancel deadline-nanos max-bytes)
                                :operations (count ops) :searched (count pruned))))
        valid  (:valid? result)]
    (cond-> {"valid" (cond (true? valid) "true" (false? valid) "false" :else "unknown")}
      (:reason result) (assoc "reason" (:reason result))
      (:op result) (assoc "op" (describe-op (:op result)))
      (contains? result :last-op) (assoc "last-op" (describe-op (:last-op result)))
      (:states result) (assoc "states" (mapv #(show model %) (:states result)))
      (:prefix-count result) (assoc "prefix-count" (:prefix-count result))
      (:linearization result) (assoc "linearization"
                                     (mapv (fn [[op s]] (assoc (describe-op op) "state-after" (show model s)))
                                           (:linearization result)))
      (:operations result) (assoc "operations" (:operations result) "searched" (:searched result))
      (:lost result) (assoc "lost" (:lost result) "unexpected" (:unexpected result))
      (:configurations result) (assoc "configurations" (:configurations result)))))

(defn check-key
  "Checks one key's events. Returns a Java-friendly map with string keys: valid (\"true\",
  \"false\", \"unknown\"), and on failure the op, the last op that could be linearized, the
  longest linearizable prefix (its size and the tail of its order, each op with the state after it)
  and up to 10 model states the op could have seen. max-bytes bounds the search's memo."
  [events model initial cancel deadline-nanos max-bytes]
  (check-key* events model initial cancel deadline-nanos max-bytes prune/prune))

(defn check-key-unpruned
  "check-key without raftkit.checker.prune: the reference the pruning tests compare against."
  [events model initial cancel deadline-nanos max-bytes]
  (check-key* events model initial cancel deadline-nanos max-bytes (fn [ops _ _] ops)))
