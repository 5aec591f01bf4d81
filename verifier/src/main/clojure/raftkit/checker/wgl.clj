(ns raftkit.checker.wgl
  "The Wing-Gong-Lowe linearizability search, with Lowe's memo of (linearized set, model state) as
  in Knossos's wgl and Porcupine. Events live in a doubly linked list of array slots; linearizing
  an operation lifts its call and return out of the list, backtracking puts them back.

  Indeterminate operations (:info, never completed) get their return after every other event, so
  they may be linearized anywhere after their call, or after everything, which is the same as never.

  The memo is the search's memory, and it is bounded by bytes, not by a count: each configuration
  is charged what it really costs on the heap (see `config-bytes`), and the search stops with an
  unknown verdict naming the budget when the charges reach it. An OutOfMemoryError anyway (another
  key's search, a heap smaller than it claimed) is also an unknown verdict, never a crash."
  (:require [raftkit.checker.models :as models])
  (:import (java.util Arrays BitSet HashSet ArrayList)
           (java.util.concurrent.atomic AtomicBoolean)))

(set! *warn-on-reflection* true)

;; A configuration: the linearized set and the model state. Every completed operation called before
;; the lowest completed one not yet linearized is linearized, so the set is stored as that index
;; (`low`), the bits above it, which span only the operations concurrent with the search's frontier,
;; and which of the indeterminate operations below `low` are linearized (`below`, one bit per
;; indeterminate operation of the key). Without `below`, an indeterminate operation the search has
;; not placed would hold `low` down for the rest of the history and every configuration would carry
;; a bit for each operation since it: an unthrottled counter run's history (237,010 operations, six
;; indeterminate) reached the 2.9 GB memo budget at 1.3 million configurations, 2.2 KB each.
(deftype Config [^int low ^longs words ^longs below state ^int hash]
  Object
  (hashCode [_] hash)
  (equals [_ o]
    (and (instance? Config o)
         (let [^Config c o]
           (and (== hash (.-hash c)) (== low (.-low c))
                (Arrays/equals words ^longs (.-words c))
                (Arrays/equals below ^longs (.-below c))
                (= state (.-state c)))))))

(def ^:const config-base-bytes
  "Heap bytes of one memo entry besides its 8-byte words, measured with raft-verifier bench-memo
  (docs/benchmarks.md, Verifier checker: 94, 104, 120 and 216 bytes for 1, 2, 4 and 16 words, so
  86 to 88 besides the words): the Config object 24, the long[] header 16, the HashSet's node 32 and
  its share of the table, on 64-bit JDK 17 with compressed oops. The state is the history's own
  value, shared, not copied. A configuration with no indeterminate operation below `low` shares one
  empty `below` array."
  88)

(def ^:private no-words (long-array 0))

(defn config-bytes
  "What one memo entry costs on the heap: a `below` of its own adds its array header and words."
  ^long [^Config c]
  (let [below (alength ^longs (.-below c))]
    (+ config-base-bytes (* 8 (alength ^longs (.-words c))) (if (zero? below) 0 (+ 16 (* 8 below))))))

(defn config
  "The memo entry for a linearized set and a state. indeterminate? says which operations have no
  return (a boolean array), infos lists their indexes in increasing order; without them every
  operation is taken as completed."
  ([linearized state] (config linearized state nil nil))
  ([^BitSet linearized state ^booleans indeterminate? ^ints infos]
   (let [low (loop [i (.nextClearBit linearized 0)]
               ;; indeterminate operations left out do not hold the frontier down: `below` has them
               (if (and indeterminate? (< i (alength indeterminate?)) (aget indeterminate? i))
                 (recur (.nextClearBit linearized (inc i)))
                 i))
         words (.toLongArray (.get linearized low (max low (.length linearized))))
         below (if (nil? infos)
                 no-words
                 (let [bits (BitSet.)]
                   (loop [j 0]
                     (when (< j (alength infos))
                       (let [i (aget infos j)]
                         (when (< i low)
                           (when (.get linearized i) (.set bits j))
                           (recur (inc j))))))
                   (if (.isEmpty bits) no-words (.toLongArray bits))))]
     (Config. low words below state
              (unchecked-int (+ (* 31 (+ (* 31 (+ (* 31 low) (Arrays/hashCode words))) (Arrays/hashCode ^longs below)))
                                (hash state)))))))

(defn- event-order
  "Events as [op-index call?] sorted by position; indeterminate returns go last, in call order."
  [ops]
  (let [calls   (map-indexed (fn [i op] [(:call op) i true]) ops)
        rets    (keep-indexed (fn [i op] (when (:ret op) [(:ret op) i false])) ops)
        open    (keep-indexed (fn [i op] (when-not (:ret op) [Long/MAX_VALUE i false])) ops)]
    (mapv (fn [[_ i call?]] [i call?])
          (sort-by (fn [[pos i call?]] [pos (if call? 1 0) i]) (concat calls rets open)))))

(defn- explanation
  "The verdict for a search that could not go on: the operation stuck at the furthest return, the
  longest linearizable prefix found (how many operations, the tail of its order with the state after
  each) and the states the stuck operation could have seen there."
  [ops best-ret ^BitSet best-lin best-tail best-states configurations]
  (let [n (count ops)
        stuck (some (fn [i] (when (= (:ret (get ops i)) best-ret) i)) (range n))
        done (when best-lin (filter #(.get best-lin (int %)) (range n)))
        last-op (when (seq done) (apply max-key #(or (:ret (get ops %)) -1) done))]
    {:valid? false
     :op (get ops stuck)
     :last-op (when last-op (get ops last-op))
     :prefix-count (count done)
     :linearization (mapv (fn [[i s]] [(get ops i) s]) best-tail)
     :states (vec best-states)
     :configurations configurations}))

(def ^:private tail-length
  "How many operations of the longest linearizable prefix the explanation shows."
  12)

(defn check
  "Searches for a linearization of ops (from raftkit.checker.history/operations). Returns
  {:valid? true}, {:valid? false :op .. :last-op .. :prefix-count .. :linearization .. :states [..]},
  or {:valid? :unknown :reason ..} when cancelled, past the deadline (System/nanoTime), past
  max-bytes of memo, or out of memory."
  [ops model initial ^AtomicBoolean cancel deadline-nanos max-bytes]
  (let [configurations (volatile! 0)
        memo-bytes (volatile! 0)]
    (try
      (let [step   (models/step-fn model)
            ops    (vec ops)
            n      (count ops)
            order  (event-order ops)
            m      (count order)
            head   m
            tail   (inc m)
            nxt    (int-array (+ m 2))
            prv    (int-array (+ m 2))
            op-of  (int-array m)
            call?  (boolean-array m)
            ret-of (int-array n)
            indeterminate? (boolean-array (map #(nil? (:ret %)) ops))
            infos  (int-array (filter #(aget indeterminate? (int %)) (range n)))]
        (dotimes [k m]
          (let [[i c] (get order k)]
            (aset op-of k (int i))
            (aset call? k (boolean c))
            (when-not c (aset ret-of (int i) (int k)))
            (aset nxt k (int (if (= k (dec m)) tail (inc k))))
            (aset prv k (int (if (zero? k) head (dec k))))))
        (aset nxt head (int (if (zero? m) tail 0)))
        (aset prv tail (int (if (zero? m) head (dec m))))
        (let [memo       (HashSet.)
              stack      (ArrayList.)
              linearized (BitSet. n)
              ;; the furthest return the search was stuck at, for the explanation
              best-ret   (volatile! -1)
              best-lin   (volatile! nil)
              best-tail  (volatile! [])
              best-states (java.util.LinkedHashSet.)
              lift!   (fn [e]
                        (let [e (int e)
                              r (aget ret-of (aget op-of e))]
                          (aset nxt (aget prv e) (aget nxt e))
                          (aset prv (aget nxt e) (aget prv e))
                          (aset nxt (aget prv r) (aget nxt r))
                          (aset prv (aget nxt r) (aget prv r))))
              unlift! (fn [e]
                        (let [e (int e)
                              r (aget ret-of (aget op-of e))]
                          (aset nxt (aget prv r) r)
                          (aset prv (aget nxt r) r)
                          (aset nxt (aget prv e) e)
                          (aset prv (aget nxt e) e)))
              ;; the last tail-length linearized operations, each with the state after it
              tail-of (fn [state]
                        (let [k (.size stack)
                              from (max 0 (- k tail-length))]
                          (vec (for [j (range from k)]
                                 (let [[e _] (.get stack (int j))
                                       after (if (= j (dec k)) state (second (.get stack (int (inc j)))))]
                                   [(aget op-of (int e)) after])))))]
          ;; Two passes over the candidates (the calls before the first return in the list): completed
          ;; operations first, then indeterminate ones. Every candidate is still tried, so the search
          ;; is as complete as before; but an indeterminate operation that never took effect is tried
          ;; only when the completed ones cannot go on, instead of at every step (valid histories with
          ;; many of them searched every one at every frontier: 170 configurations per operation).
          (loop [entry (aget nxt head), state (models/initial-state model initial), pass 0, steps 0]
            (cond
              (= (aget nxt head) tail)
              {:valid? true :configurations (.size memo)}

              (and (zero? (bit-and steps 0xFFF))
                   (or (.get cancel) (> (- (System/nanoTime) deadline-nanos) 0) (> @memo-bytes max-bytes)))
              {:valid? :unknown
               :configurations (.size memo)
               :reason (cond (.get cancel) "cancelled: another key was already invalid"
                             (> @memo-bytes max-bytes)
                             (format "memory budget reached: %,d configurations cost about %d MB, the budget for this key (raise -Xmx, or rotate keys sooner)"
                                     (.size memo) (quot @memo-bytes 1000000))
                             :else (format "time limit reached after %,d configurations" (.size memo)))}

              ;; Indeterminate returns sit after every determinate event: reaching one means every
              ;; completed operation is linearized, and the rest may simply never have happened.
              (and (not (aget call? entry)) (nil? (:ret (get ops (aget op-of entry)))))
              {:valid? true :configurations (.size memo)}

              (and (aget call? entry) (not= pass (if (aget indeterminate? (aget op-of entry)) 1 0)))
              (recur (aget nxt entry) state pass (inc steps))

              (aget call? entry)
              (let [i (aget op-of entry)
                    s2 (step state (get ops i))]
                (if (identical? s2 models/inconsistent)
                  (recur (aget nxt entry) state pass (inc steps))
                  (do
                    (.set linearized i)
                    (let [c (config linearized s2 indeterminate? infos)]
                      (if (.add memo c)
                        (do (vswap! memo-bytes + (config-bytes c))
                            (vreset! configurations (.size memo))
                            (.add stack [entry state pass])
                            (lift! entry)
                            (recur (aget nxt head) s2 0 (inc steps)))
                        (do (.clear linearized i)
                            (recur (aget nxt entry) state pass (inc steps))))))))

              ;; the completed candidates are exhausted here: now the indeterminate ones
              (zero? pass)
              (recur (aget nxt head) state 1 (inc steps))

              :else
              (do
                ;; stuck at a return: nothing pending can be linearized before this op completes
                (let [ret-op (aget op-of entry)
                      pos    (:ret (get ops ret-op))]
                  (when (> pos @best-ret)
                    (vreset! best-ret pos)
                    (vreset! best-lin (.clone linearized))
                    (vreset! best-tail (tail-of state))
                    (.clear best-states))
                  (when (and (= pos @best-ret) (< (.size best-states) 10))
                    (.add best-states state)))
                (if (.isEmpty stack)
                  (explanation ops @best-ret @best-lin @best-tail best-states (.size memo))
                  (let [[e s p] (.remove stack (dec (.size stack)))
                        e (int e)]
                    (.clear linearized (aget op-of e))
                    (unlift! e)
                    (recur (aget nxt e) s (long p) (inc steps)))))))))
      (catch OutOfMemoryError _
        ;; The memo is unreachable once this frame is gone, so the heap is back for the caller.
        {:valid? :unknown
         :configurations @configurations
         :reason (format "out of memory after %,d configurations (about %d MB of memo); raise -Xmx, or rotate keys sooner"
                         @configurations (quot @memo-bytes 1000000))}))))
