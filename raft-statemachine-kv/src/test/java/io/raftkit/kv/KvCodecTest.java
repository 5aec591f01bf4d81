package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvCodecTest {

    private static final SessionStamp STAMP = new SessionStamp(42, 7, 1_700_000_000_000L);

    @Test
    void everyCommandKindSurvivesARoundTrip() {
        for (KvCommand command : new KvCommand[]{
                new KvCommand.Put(STAMP, "k", "välue"),
                new KvCommand.Delete(STAMP, "k"),
                new KvCommand.Cas(STAMP, "k", Optional.of("old"), "new"),
                new KvCommand.Cas(STAMP, "k", Optional.empty(), "new"),
                new KvCommand.SetSessionPolicy(STAMP, new SessionPolicy(60_000, 500))}) {
            assertThat(KvCodec.decodeCommand(KvCodec.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void aPutIsCompactBinaryNotJson() {
        byte[] bytes = KvCodec.encode(new KvCommand.Put(STAMP, "0123456789", "v".repeat(100)));
        assertThat(bytes).hasSize(1 + 24 + 4 + 10 + 4 + 100);
    }

    @Test
    void resultsAndQueriesSurviveARoundTrip() {
        KvResult present = new KvResult(KvResult.Status.OK, "k", Optional.of(KvValue.of("v")), 3, 10, 12, 12);
        KvResult absent = KvResult.absent(KvResult.Status.NOT_FOUND, "k", 5);
        KvResult forgotten = new KvResult(KvResult.Status.CAS_FAILED, "k", Optional.empty(), 3, 10, 12, 14,
                KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN);
        assertThat(KvCodec.decodeResult(KvCodec.encode(present))).isEqualTo(present);
        assertThat(KvCodec.decodeResult(KvCodec.encode(forgotten))).isEqualTo(forgotten);
        assertThat(KvCodec.decodeResult(KvCodec.encode(absent))).isEqualTo(absent);
        assertThat(KvCodec.decodeGet(KvCodec.encodeGet("ключ"))).isEqualTo("ключ");
    }

    @Test
    void truncatedCommandIsRejectedWithItsPosition() {
        byte[] bytes = KvCodec.encode(new KvCommand.Put(STAMP, "key", "value"));
        assertThatThrownBy(() -> KvCodec.decodeCommand(Arrays.copyOf(bytes, 20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }

    @Test
    void aLengthBeyondTheBufferIsRejectedNotAllocated() {
        byte[] bytes = KvCodec.encode(new KvCommand.Delete(STAMP, "key"));
        bytes[25] = 0x7f; // the key length's high byte
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key length");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomBytesNeverDecodeToAnythingButAnIllegalArgument(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            try {
                KvCodec.decodeCommand(bytes);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d", seed).startsWith("malformed KV");
            }
        }
    }

    @Test
    void aKeyThatIsNotUtf8IsRefusedButARealReplacementCharacterIsKept() {
        byte[] bytes = KvCodec.encode(new KvCommand.Delete(STAMP, "ab"));
        bytes[bytes.length - 1] = (byte) 0xC3; // a lead byte with no continuation
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("malformed KV bytes: key is not valid UTF-8");

        KvCommand withReplacement = new KvCommand.Put(STAMP, "k\uFFFD", "v\uFFFDw");
        assertThat(KvCodec.decodeCommand(KvCodec.encode(withReplacement))).isEqualTo(withReplacement);
    }

    @Test
    void aValueIsBytesAndAnyBytesSurviveARoundTrip() {
        byte[] notText = {(byte) 0xC3, 0, (byte) 0xFF, (byte) 0x80, 'x'};
        KvCommand put = new KvCommand.Put(STAMP, "k", KvValue.of(notText));
        KvCommand cas = new KvCommand.Cas(STAMP, "k", Optional.of(KvValue.of(notText)), KvValue.of(new byte[0]));
        assertThat(KvCodec.decodeCommand(KvCodec.encode(put))).isEqualTo(put);
        assertThat(KvCodec.decodeCommand(KvCodec.encode(cas))).isEqualTo(cas);
        KvResult result = new KvResult(KvResult.Status.OK, "k", Optional.of(KvValue.of(notText)), 1, 2, 2, 2);
        assertThat(KvCodec.decodeResult(KvCodec.encode(result))).isEqualTo(result);
        assertThat(KvValue.of(notText).utf8()).isEmpty();
        assertThat(KvValue.of("välue").utf8()).contains("välue");
    }

    @Test
    void theDigestIgnoresTheStampButSeesEveryOtherByte() throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        byte[] first = KvCodec.digest(sha, KvCodec.encode(new KvCommand.Put(STAMP, "k", "v")));
        byte[] retry = KvCodec.digest(sha, KvCodec.encode(new KvCommand.Put(new SessionStamp(42, 7, 1_800_000_000_000L), "k", "v")));
        assertThat(retry).isEqualTo(first).hasSize(16);
        assertThat(KvCodec.digest(sha, KvCodec.encode(new KvCommand.Put(STAMP, "k", "w")))).isNotEqualTo(first);
        assertThat(KvCodec.digest(sha, KvCodec.encode(new KvCommand.Cas(STAMP, "k", Optional.empty(), "v")))).isNotEqualTo(first);
    }

    @Test
    void aPolicyOutsideItsBoundsInTheLogIsMalformedNotAThrowOfAnotherKind() {
        byte[] bytes = KvCodec.encode(new KvCommand.SetSessionPolicy(STAMP, new SessionPolicy(60_000, 500)));
        java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 4, 0); // capacity 0
        assertThatThrownBy(() -> KvCodec.decodeCommand(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed KV command: session capacity");
    }
}
