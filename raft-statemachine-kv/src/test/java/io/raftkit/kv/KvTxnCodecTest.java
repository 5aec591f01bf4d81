package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvTxnCodecTest {

    private static final SessionStamp STAMP = new SessionStamp(42, 7, 1_700_000_000_000L);

    private static KvCommand.Txn everyKind() {
        return new KvCommand.Txn(STAMP,
                List.of(KvTxn.Guard.valueIs("a", KvValue.of("1")), KvTxn.Guard.versionIs("b", 3), KvTxn.Guard.exists("c"),
                        KvTxn.Guard.absent("d"), KvTxn.Guard.versionIs("e", 0)),
                List.of(KvTxn.Op.get("a"), KvTxn.Op.put("b", KvValue.of(new byte[]{(byte) 0xFF, 0})), KvTxn.Op.delete("c"),
                        KvTxn.Op.append("ключ", KvValue.of("x"))));
    }

    @Test
    void aTransactionWithEveryGuardAndOperationKindSurvivesARoundTrip() {
        KvCommand.Txn txn = everyKind();
        assertThat(KvCodec.decodeCommand(KvCodec.encode(txn))).isEqualTo(txn);
        KvCommand.Txn empty = new KvCommand.Txn(STAMP, List.of(), List.of());
        assertThat(KvCodec.decodeCommand(KvCodec.encode(empty))).isEqualTo(empty);
    }

    @Test
    void transactionResultsSurviveARoundTrip() {
        KvTxnResult ok = new KvTxnResult(KvResult.Status.OK, OptionalInt.empty(),
                List.of(new KvResult(KvResult.Status.OK, "k", Optional.of(KvValue.of("v")), 3, 10, 12, 12),
                        KvResult.absent(KvResult.Status.NOT_FOUND, "m", 12)), 12, KvResult.Origin.APPLIED);
        KvTxnResult failed = KvTxnResult.failed(KvResult.Status.GUARD_FAILED, 2, 9);
        KvTxnResult duplicate = new KvTxnResult(KvResult.Status.OK, OptionalInt.empty(), List.of(), 4,
                KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN);
        for (KvTxnResult r : List.of(ok, failed, duplicate)) {
            assertThat(KvTxnCodec.decodeResult(KvTxnCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void aMalformedEntryAnsweredWithAPlainResultReadsAsARefusedTransaction() {
        byte[] plain = KvCodec.encode(KvResult.absent(KvResult.Status.MALFORMED, "", 5));
        assertThat(KvTxnCodec.decodeResult(plain)).isEqualTo(KvTxnResult.refused(KvResult.Status.MALFORMED, 5));
    }

    @Test
    void aGuardCountBeyondTheLimitIsRefusedBeforeAnythingIsAllocated() {
        byte[] bytes = KvCodec.encode(new KvCommand.Txn(STAMP, List.of(), List.of(KvTxn.Op.get("k"))));
        ByteBuffer.wrap(bytes).putInt(1 + 24, Integer.MAX_VALUE);
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed KV bytes: 2147483647 guards at byte 25 (a transaction has 0 to 64)");
    }

    @Test
    void anUnknownOperationKindIsRefusedNamingTheOperation() {
        byte[] bytes = KvCodec.encode(new KvCommand.Txn(STAMP, List.of(), List.of(KvTxn.Op.get("k"))));
        bytes[1 + 24 + 4 + 4] = 9;
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operation 0 has unknown kind 9");
    }

    @Test
    void aNegativeVersionInAGuardIsMalformed() {
        byte[] bytes = KvCodec.encode(new KvCommand.Txn(STAMP, List.of(KvTxn.Guard.versionIs("k", 1)), List.of()));
        ByteBuffer.wrap(bytes).putLong(1 + 24 + 4 + 1 + 4 + 1, -1);
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed KV command: guard 0 compares version -1");
    }

    @Test
    void moreOperationsThanTheLimitCannotBeBuilt() {
        List<KvTxn.Op> ops = new ArrayList<>();
        for (int i = 0; i <= KvTxn.MAX_OPS; i++) {
            ops.add(KvTxn.Op.get("k" + i));
        }
        assertThatThrownBy(() -> new KvCommand.Txn(STAMP, List.of(), ops)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a transaction has at most 64 operations, not 65");
    }

    @Test
    void everyTruncationOfATransactionIsRefusedAsTruncated() {
        byte[] bytes = KvCodec.encode(everyKind());
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> KvCodec.decodeCommand(cut)).as("length %d", length)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed KV");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void aTransactionWithRandomBytesChangedDecodesOrIsRefusedAsMalformed(long seed) {
        Random random = new Random(seed);
        byte[] valid = KvCodec.encode(everyKind());
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = valid.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                KvCommand decoded = KvCodec.decodeCommand(bytes);
                // What decodes must encode back to the same bytes: nothing was read loosely.
                assertThat(KvCodec.encode(decoded)).as("seed %d", seed).isEqualTo(bytes);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d", seed).startsWith("malformed KV");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomBytesNeverDecodeToATransactionResultButAnIllegalArgument(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = KvTxnCodec.TXN_RESULT;
            }
            try {
                KvTxnCodec.decodeResult(bytes);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d", seed).startsWith("malformed KV");
            }
        }
    }
}
