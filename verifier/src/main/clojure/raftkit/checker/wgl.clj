(ns raftkit.checker.wgl
  "The Wing-Gong-Lowe linearizability search, with Lowe's memo of (linearized set, model state) as
  in Knossos's wgl and Porcupine. Events live in a doubly linked list of array slots; linearizing
  an operation lifts its call and return out of the list, backtracking puts them back.

  Indeterminate operations (:info, never completed) get their return after every other event, so
  they may be linearized anywhere after their call, or after everything, which is the same as never."
  (:require [raftkit.checker.models :as models])
  (:import (java.util BitSet HashSet ArrayList)
           (java.util.concurrent.atomic AtomicBoolean)))

(set! *warn-on-reflection* true)

(defn- event-order
  "Events as [op-index call?] sorted by position; indeterminate returns go last, in call order."
  [ops]
  (let [calls   (map-indexed (fn [i op] [(:call op) i true]) ops)
        rets    (keep-indexed (fn [i op] (when (:ret op) [(:ret op) i false])) ops)
        open    (keep-indexed (fn [i op] (when-not (:ret op) [Long/MAX_VALUE i false])) ops)]
    (mapv (fn [[_ i call?]] [i call?])
          (sort-by (fn [[pos i call?]] [pos (if call? 1 0) i]) (concat calls rets open)))))

(defn check
  "Searches for a linearization of ops (from raftkit.checker.history/operations). Returns
  {:valid? true}, {:valid? false :op .. :last-op .. :states [..]}, or {:valid? :unknown :reason ..}
  when cancelled, past the deadline (System/nanoTime) or past max-memo configurations."
  [ops model initial ^AtomicBoolean cancel deadline-nanos max-memo]
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
        ret-of (int-array n)]
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
                      (aset prv (aget nxt e) e)))]
      (loop [entry (aget nxt head), state (models/initial-state model initial), steps 0]
        (cond
          (= (aget nxt head) tail)
          {:valid? true :configurations (.size memo)}

          (and (zero? (bit-and steps 0xFFF))
               (or (.get cancel) (> (- (System/nanoTime) deadline-nanos) 0) (> (.size memo) max-memo)))
          {:valid? :unknown
           :reason (cond (.get cancel) "cancelled: another key was already invalid"
                         (> (.size memo) max-memo) (str "search space exceeded " max-memo " configurations")
                         :else "time limit reached")}

          ;; Indeterminate returns sit after every determinate event: reaching one means every
          ;; completed operation is linearized, and the rest may simply never have happened.
          (and (not (aget call? entry)) (nil? (:ret (get ops (aget op-of entry)))))
          {:valid? true :configurations (.size memo)}

          (aget call? entry)
          (let [i (aget op-of entry)
                s2 (step state (get ops i))]
            (if (identical? s2 models/inconsistent)
              (recur (aget nxt entry) state (inc steps))
              (let [lin2 ^BitSet (.clone linearized)]
                (.set lin2 i)
                (if (.add memo [lin2 s2])
                  (do (.add stack [entry state])
                      (.set linearized i)
                      (lift! entry)
                      (recur (aget nxt head) s2 (inc steps)))
                  (recur (aget nxt entry) state (inc steps))))))

          :else
          (do
            ;; stuck at a return: nothing pending can be linearized before this op completes
            (let [ret-op (aget op-of entry)
                  pos    (:ret (get ops ret-op))]
              (when (> pos @best-ret)
                (vreset! best-ret pos)
                (vreset! best-lin (.clone linearized))
                (.clear best-states))
              (when (and (= pos @best-ret) (< (.size best-states) 10))
                (.add best-states state)))
            (if (.isEmpty stack)
              (let [stuck (some (fn [i] (when (= (:ret (get ops i)) @best-ret) i)) (range n))
                    ^BitSet lin @best-lin
                    done (when lin (filter #(.get lin (int %)) (range n)))
                    last-op (when (seq done) (apply max-key #(or (:ret (get ops %)) -1) done))]
                {:valid? false
                 :op (get ops stuck)
                 :last-op (when last-op (get ops last-op))
                 :states (vec best-states)
                 :configurations (.size memo)})
              (let [[e s] (.remove stack (dec (.size stack)))
                    e (int e)]
                (.clear linearized (aget op-of e))
                (unlift! e)
                (recur (aget nxt e) s (inc steps))))))))))
