(ns raftkit.checker.history
  "Turns a raw history (events in order) into operations under the Knossos reading: a :fail had no
  effect; an :info, or an invocation that never completes, may take effect at any point after its
  invocation or never; events of non-integer processes (the nemesis) are ignored; an invocation
  takes its value from its completion.

  A history that breaks the shape this reading needs is refused with an error naming its line, as
  Knossos refuses it: a second invocation on a process whose operation is still open, a completion
  with no open invocation, a completion of a different function, an unknown :type or :f. Guessing
  (the first invocation replaced, the completion dropped) gave false verdicts on such files."
  (:require [clojure.edn :as edn]))

(defn- keywordish [x]
  (cond (keyword? x) x
        (string? x) (keyword x)
        :else x))

(defn- clojurize [x]
  (cond ;; EDN maps, and JSONL lines HistoryFiles already built as Clojure data, need nothing
        (and (map? x) (every? keyword? (keys x))) x
        (instance? java.util.Map x) (into {} (map (fn [[k v]] [(keywordish k) (clojurize v)])) x)
        (instance? java.util.List x) (mapv clojurize x)
        (instance? Integer x) (long x)
        :else x))

(defn where
  "How an error names an event: its line in the file when known, and its position."
  [e position]
  (if-let [line (:raftkit/line e)]
    (str "line " line " (event " position ")")
    (str "event at position " position)))

(defn normalize
  "One event as a Clojure map with keyword keys and keyword :type and :f, from EDN or from Java maps
  (JSONL). :process stays an integer, or becomes a keyword such as :nemesis. Anything else is an
  error naming the event's line."
  [position event]
  (let [m (clojurize event)]
    (when-not (map? m)
      (throw (IllegalArgumentException. (str "event at position " position " is not a map: " (pr-str m)))))
    (when-not (#{:invoke :ok :fail :info "invoke" "ok" "fail" "info"} (:type m))
      (throw (IllegalArgumentException.
               (str (where m position) " has no valid :type (invoke, ok, fail, info): " (pr-str (dissoc m :raftkit/line))))))
    (-> m
        (update :type keywordish)
        (update :f keywordish)
        (update :process (fn [p] (if (string? p) (keyword p) p))))))

(defn- skip-blank
  "Skips whitespace, commas and ; comments; returns the next character code without consuming it, or -1."
  [^clojure.lang.LineNumberingPushbackReader r]
  (loop []
    (let [c (.read r)]
      (cond (= c -1) -1
            (or (Character/isWhitespace (char c)) (= c (int \,))) (recur)
            (= c (int \;)) (do (loop [] (let [d (.read r)] (when-not (or (= d -1) (= d (int \newline))) (recur)))) (recur))
            :else (do (.unread r c) c)))))

(defn read-edn
  "Reads a Knossos/Jepsen EDN history: a vector or list of maps, each tagged with the line it starts
  on (:raftkit/line) so that errors can name it. Unknown tagged literals are read as their plain value."
  [^String text]
  (let [r (clojure.lang.LineNumberingPushbackReader. (java.io.StringReader. text))
        opts {:default (fn [_tag value] value) :eof ::eof}
        fail (fn [^Exception e]
               (throw (IllegalArgumentException.
                        (str "malformed EDN near line " (.getLineNumber r) ": " (.getMessage e)) e)))
        open (skip-blank r)]
    (when (= open -1)
      (throw (IllegalArgumentException. "the file holds no EDN form")))
    (if-not (#{(int \[) (int \()} open)
      ;; not a sequence: read it whole to say what it is
      (let [form (try (edn/read opts r) (catch Exception e (fail e)))]
        (throw (IllegalArgumentException.
                 (str "expected a vector or list of operation maps, found " (type form)))))
      (let [close (if (= open (int \[)) (int \]) (int \)))]
        (.read r)
        (loop [events (transient [])]
          (let [c (skip-blank r)]
            (cond
              (= c -1) (fail (RuntimeException. "EOF while reading the history; it is not closed"))
              (= c close) (do (.read r)
                              (when-not (= -1 (skip-blank r))
                                (throw (IllegalArgumentException.
                                         (str "line " (.getLineNumber r) ": text after the end of the history"))))
                              (persistent! events))
              (#{(int \]) (int \))} c) (fail (RuntimeException. (str "unmatched delimiter: " (char c))))
              :else
              (let [line (long (.getLineNumber r))
                    form (try (edn/read opts r) (catch Exception e (fail e)))]
                (recur (conj! events (if (map? form) (assoc form :raftkit/line line) form)))))))))))

(def model-functions
  "The functions each model's operations may have; anything else is refused, not read as inconsistent."
  {"register" #{:read :write}
   "cas-register" #{:read :write :cas}
   "multi-register" #{:txn}
   "mutex" #{:acquire :release}
   "set" #{:add :read}
   "list-append" #{:txn}})

(defn validate
  "Refuses a history whose client events do not pair up, naming the line: a process invoking while
  its previous operation is open, a completion with no open invocation or of another function, or a
  function the model does not know. Events of non-integer processes (the nemesis) are not checked.
  Returns the events unchanged."
  [events model]
  (let [fs (if (instance? io.raftkit.verifier.spi.Model model)
             (set (map keyword (.functions ^io.raftkit.verifier.spi.Model model)))
             (get model-functions model))
        model (if (instance? io.raftkit.verifier.spi.Model model) (.name ^io.raftkit.verifier.spi.Model model) model)]
    (loop [i 0, open {}]
      (if (= i (count events))
        events
        (let [e (nth events i)
              p (:process e)
              at #(where e (:raftkit/position e i))]
          (if-not (integer? p)
            (recur (inc i) open)
            (do
              (when (and fs (not (contains? fs (:f e))))
                (throw (IllegalArgumentException.
                         (str (at) ": :f " (pr-str (:f e)) " is not an operation of the " model " model "
                              (pr-str (sort fs))))))
              (if (= :invoke (:type e))
                (if-let [prior (get open p)]
                  (throw (IllegalArgumentException.
                           (str (at) ": process " p " invokes " (pr-str (:f e)) " while its " (pr-str (:f prior))
                                " invoked at " (where prior (:raftkit/position prior)) " is still open"
                                " (a double invoke: a process has one operation at a time; give a crashed client a new process)")))
                  (recur (inc i) (assoc open p (assoc e :raftkit/position (:raftkit/position e i)))))
                (let [prior (get open p)]
                  (cond
                    (nil? prior)
                    (throw (IllegalArgumentException.
                             (str (at) ": process " p " completes " (pr-str (:f e)) " (" (name (:type e))
                                  ") with no open invocation")))
                    (not= (:f prior) (:f e))
                    (throw (IllegalArgumentException.
                             (str (at) ": process " p " completes " (pr-str (:f e)) " but invoked " (pr-str (:f prior))
                                  " at " (where prior (:raftkit/position prior)))))
                    :else (recur (inc i) (dissoc open p))))))))))))

(defn operations
  "Completed and indeterminate operations, each {:id :f :value :process :key :call :ret :pos :ret-pos},
  where :call and :ret are positions in the event order and :ret is nil for an indeterminate op.
  :pos is the invocation's 0-based position in the raw history; :ret-pos the completion's.
  Expects a history that passed `validate`."
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
              :ok (let [inv (get open p)]
                    (recur (inc i) (dissoc open p)
                           (conj! ops (assoc inv :ret i :ret-pos (:raftkit/position e i)
                                                 :value (if (= :read (:f inv)) (:value e) (or (:value inv) (:value e)))))))
              :fail (recur (inc i) (dissoc open p) ops)
              :info (let [inv (get open p)]
                      (recur (inc i) (dissoc open p) (conj! ops (assoc inv :ret nil :info-pos (:raftkit/position e i))))))))))))
