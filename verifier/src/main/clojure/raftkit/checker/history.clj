(ns raftkit.checker.history
  "Turns a raw history (events in order) into operations under the Knossos reading: a :fail had no
  effect; an :info, or an invocation that never completes, may take effect at any point after its
  invocation or never; events of non-integer processes (the nemesis) are ignored; an invocation
  takes its value from its completion."
  (:require [clojure.edn :as edn]))

(defn- keywordish [x]
  (cond (keyword? x) x
        (string? x) (keyword x)
        :else x))

(defn- clojurize [x]
  (cond (instance? java.util.Map x) (into {} (map (fn [[k v]] [(keywordish k) (clojurize v)])) x)
        (instance? java.util.List x) (mapv clojurize x)
        (instance? Integer x) (long x)
        :else x))

(defn normalize
  "One event as a Clojure map with keyword keys and keyword :type and :f, from EDN or from Java maps
  (JSONL). :process stays an integer, or becomes a keyword such as :nemesis. Anything else is an
  error naming the event's position."
  [position event]
  (let [m (clojurize event)]
    (when-not (map? m)
      (throw (IllegalArgumentException. (str "event at position " position " is not a map: " (pr-str m)))))
    (when-not (#{:invoke :ok :fail :info "invoke" "ok" "fail" "info"} (:type m))
      (throw (IllegalArgumentException. (str "event at position " position " has no valid :type (invoke, ok, fail, info): " (pr-str m)))))
    (-> m
        (update :type keywordish)
        (update :f keywordish)
        (update :process (fn [p] (if (string? p) (keyword p) p))))))

(defn read-edn
  "Reads a Knossos/Jepsen EDN history: a vector or list of maps. Unknown tagged literals are read as
  their plain value."
  [^String text]
  (let [reader (clojure.lang.LineNumberingPushbackReader. (java.io.StringReader. text))
        form (try (edn/read {:default (fn [_tag value] value) :eof ::empty} reader)
                  (catch Exception e
                    (throw (IllegalArgumentException.
                             (str "malformed EDN near line " (.getLineNumber reader) ": " (.getMessage e)) e))))]
    (when (= form ::empty)
      (throw (IllegalArgumentException. "the file holds no EDN form")))
    (when-not (sequential? form)
      (throw (IllegalArgumentException.
               (str "expected a vector or list of operation maps, found " (type form)))))
    (vec form)))

(defn operations
  "Completed and indeterminate operations, each {:id :f :value :process :key :call :ret :pos :ret-pos},
  where :call and :ret are positions in the event order and :ret is nil for an indeterminate op.
  :pos is the invocation's 0-based position in the raw history; :ret-pos the completion's."
  [events]
  (let [events (vec events)]
    (loop [i 0, open {}, ops (transient [])]
      (if (= i (count events))
        ;; invocations never completed are indeterminate
        (let [ops (persistent! ops)]
          (vec (sort-by :call (concat ops (map (fn [[_ op]] (assoc op :ret nil)) open)))))
        (let [e (get events i)
              p (:process e)]
          (if-not (integer? p)
            (recur (inc i) open ops)
            (case (:type e)
              :invoke (recur (inc i)
                             (assoc open p {:f (:f e) :value (:value e) :process p :key (:key e)
                                            :call i :pos (:raftkit/position e i)})
                             ops)
              :ok (if-let [inv (get open p)]
                    (recur (inc i) (dissoc open p)
                           (conj! ops (assoc inv :ret i :ret-pos (:raftkit/position e i)
                                                 :value (if (= :read (:f inv)) (:value e) (or (:value inv) (:value e))))))
                    (recur (inc i) open ops))
              :fail (recur (inc i) (dissoc open p) ops)
              :info (if-let [inv (get open p)]
                      (recur (inc i) (dissoc open p) (conj! ops (assoc inv :ret nil :info-pos i)))
                      (recur (inc i) open ops))
              (recur (inc i) open ops))))))))
