package io.raftkit.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * One transaction run against the state without touching it: guards read the state as it was,
 * operations read and write an overlay, and only when every operation could apply does the state
 * machine {@linkplain KvStateMachine commit} the overlay. So a transaction that fails halfway (an
 * append to a value that is not a list) leaves nothing behind: all or nothing within the entry.
 */
final class TxnExecution {

    private final Function<String, KvEntry> state;
    private final long index;
    /** Keys written so far, in first-write order, with what they hold now; null: deleted. */
    private final Map<String, KvEntry> written = new LinkedHashMap<>();

    TxnExecution(Function<String, KvEntry> state, long index) {
        this.state = state;
        this.index = index;
    }

    /** The writes to commit when the result succeeded: key to its new entry, null for a delete. */
    Map<String, KvEntry> writes() {
        return written;
    }

    KvTxnResult run(KvCommand.Txn txn) {
        for (int g = 0; g < txn.guards().size(); g++) {
            KvTxn.Guard guard = txn.guards().get(g);
            if (!guard.holds(state.apply(guard.key()))) {
                return KvTxnResult.failed(KvResult.Status.GUARD_FAILED, g, index);
            }
        }
        List<KvResult> results = new ArrayList<>(txn.ops().size());
        for (int o = 0; o < txn.ops().size(); o++) {
            KvTxn.Op op = txn.ops().get(o);
            String key = op.key();
            KvEntry current = current(key);
            if (op.kind() == KvTxn.OpKind.GET) {
                results.add(current == null ? KvResult.absent(KvResult.Status.NOT_FOUND, key, index)
                        : KvResult.of(KvResult.Status.OK, key, current, index));
            } else if (op.kind() == KvTxn.OpKind.PUT) {
                results.add(KvResult.of(KvResult.Status.OK, key, write(key, current, op.value().get()), index));
            } else if (op.kind() == KvTxn.OpKind.DELETE) {
                if (current == null) {
                    results.add(KvResult.absent(KvResult.Status.NOT_FOUND, key, index));
                } else {
                    written.put(key, null);
                    results.add(new KvResult(KvResult.Status.OK, key, Optional.empty(), current.version(),
                            current.createIndex(), index, index));
                }
            } else if (op.kind() == KvTxn.OpKind.APPEND) {
                KvValue list;
                try {
                    list = KvList.append(current == null ? Optional.empty() : Optional.of(current.value()), op.value().get());
                } catch (KvList.NotAList e) {
                    written.clear();
                    return KvTxnResult.failed(KvResult.Status.NOT_A_LIST, o, index);
                }
                if (list.length() > KvTxn.MAX_LIST_BYTES) {
                    written.clear();
                    return KvTxnResult.failed(KvResult.Status.LIST_TOO_LARGE, o, index);
                }
                results.add(KvResult.of(KvResult.Status.OK, key, write(key, current, list), index));
            } else {
                throw new AssertionError("unhandled " + op.kind());
            }
        }
        return new KvTxnResult(KvResult.Status.OK, OptionalInt.empty(), results, index, KvResult.Origin.APPLIED);
    }

    private KvEntry current(String key) {
        return written.containsKey(key) ? written.get(key) : state.apply(key);
    }

    /** A key written twice in one transaction counts two versions, as two puts in two entries would. */
    private KvEntry write(String key, KvEntry current, KvValue value) {
        KvEntry next = current == null ? KvEntry.created(value, index) : current.overwrite(value, index);
        written.put(key, next);
        return next;
    }
}
