package io.raftkit.verifier.verification;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Verdict;
import java.nio.file.Path;

/**
 * What a verification found.
 *
 * @param check           the checker's verdict on the recorded history, with its explanation
 * @param recoveryFailure why the cluster did not serve the final operations after the last heal, or null
 * @param report          the directory holding history.jsonl, history.edn, timeline.html and results.json
 * @param ok              operations that completed ok
 * @param failed          operations that certainly took no effect
 * @param unknown         operations whose effect nobody knows
 */
public record VerificationResult(CheckResult check, String recoveryFailure, Path report, long ok, long failed, long unknown) {

    /** Linearizable, decided, and the cluster served again after the faults. */
    public boolean passed() {
        return check.verdict() == Verdict.VALID && recoveryFailure == null;
    }

    public Verdict verdict() {
        return check.verdict();
    }

    /** One paragraph for a failing test: what was found, and where the report is. */
    public String message() {
        StringBuilder s = new StringBuilder();
        if (check.verdict() == Verdict.INVALID) {
            s.append("not linearizable: ").append(check.explain());
        } else if (check.verdict() == Verdict.UNKNOWN) {
            s.append("undecided: ").append(check.explain());
        } else {
            s.append("linearizable");
        }
        if (recoveryFailure != null) {
            s.append("; the cluster did not serve again after the final heal: ").append(recoveryFailure);
        }
        s.append(" (").append(ok).append(" ok, ").append(failed).append(" failed, ").append(unknown).append(" unknown operations)");
        s.append("; report: ").append(report.resolve("timeline.html"));
        return s.toString();
    }
}
