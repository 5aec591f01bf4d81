package io.raftkit.verifier.checker;

import java.util.List;

/** The verdict for a whole history: invalid if any key is, else unknown if any key is, else valid. */
public record CheckResult(Verdict verdict, List<KeyResult> keys, long millis) {

    /** The first invalid key, else the first unknown one, else null. */
    public KeyResult worst() {
        return keys.stream().filter(k -> k.verdict() == Verdict.INVALID).findFirst()
                .or(() -> keys.stream().filter(k -> k.verdict() == Verdict.UNKNOWN).findFirst())
                .orElse(null);
    }

    /** Why a valid verdict says little, or null: the checker found no client operation to check. */
    public String vacuous() {
        return !keys.isEmpty() && keys.stream().allMatch(k -> k.verdict() == Verdict.VALID && k.detail().containsKey("reason"))
                ? String.valueOf(keys.get(0).detail().get("reason")) : null;
    }

    public String explain() {
        KeyResult worst = worst();
        return worst == null ? "" : worst.explain();
    }
}
