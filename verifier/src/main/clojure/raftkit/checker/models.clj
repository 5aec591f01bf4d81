(ns raftkit.checker.models
  "Sequential specifications the linearizability search checks histories against. A model is a
  function (step state op) returning the next state, or ::inconsistent when op cannot happen in
  that state. Reads whose value is nil are always legal: a read invoked but never answered carries
  no value (the Knossos convention).")

(def inconsistent ::inconsistent)

(defn- register-step [state {:keys [f value]}]
  (case f
    :read  (if (or (nil? value) (= value state)) state inconsistent)
    :write value
    inconsistent))

(defn- cas-register-step [state {:keys [f value] :as op}]
  (case f
    :cas (let [[expected new-value] value]
           (if (= expected state) new-value inconsistent))
    (register-step state op)))

(defn- multi-register-step [state {:keys [f value]}]
  (if (not= f :txn)
    inconsistent
    (reduce (fn [s [mop k v]]
              (case mop
                :read  (if (or (nil? v) (= v (get s k))) s (reduced inconsistent))
                :write (assoc s k v)
                (reduced inconsistent)))
            state
            value)))

(defn- mutex-step [locked? {:keys [f]}]
  (case f
    :acquire (if locked? inconsistent true)
    :release (if locked? false inconsistent)
    inconsistent))

(def steps
  {"register"       register-step
   "cas-register"   cas-register-step
   "multi-register" multi-register-step
   "mutex"          mutex-step})

(defn java-model?
  "Whether model is a Java step function (io.raftkit.verifier.spi.Model) rather than a built-in's name."
  [model]
  (instance? io.raftkit.verifier.spi.Model model))

(defn model-name [model]
  (if (java-model? model) (.name ^io.raftkit.verifier.spi.Model model) model))

(defn- java-step
  "A Java model's step as the search calls it. The op carries its Java form under :raftkit/op
  (raftkit.checker.core converts each op once, not at every step); an empty Optional is inconsistent."
  [^io.raftkit.verifier.spi.Model model]
  (fn [state op]
    (let [^java.util.Optional next (.step model state (:raftkit/op op))]
      (if (.isPresent next) (.get next) inconsistent))))

(defn initial-state
  "The model's starting state: the given value, except that a mutex starts unlocked, a
  multi-register starts from the given map (or empty), and a Java model says its own."
  [model initial]
  (if (java-model? model)
    (.initialState ^io.raftkit.verifier.spi.Model model)
    (case model
      "mutex" false
      "multi-register" (or initial {})
      initial)))

(defn step-fn [model]
  (or (when (java-model? model) (java-step model))
      (get steps model)
      (throw (IllegalArgumentException.
               (str "unknown model '" model "': choose register, cas-register, multi-register, mutex or set")))))
