package io.raftkit.kv;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored value: any bytes, immutable. The JSON API carries values as text (UTF-8) and the binary
 * client protocol as bytes, so a value need not be text; {@link #utf8()} says whether it is.
 * Equality is by content.
 */
public final class KvValue {

    public static final KvValue EMPTY = new KvValue(new byte[0]);

    private final byte[] bytes;

    private KvValue(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}. */
    public static KvValue of(byte[] bytes) {
        return new KvValue(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /**
     * The UTF-8 bytes of {@code text}; refuses a lone surrogate, which has no UTF-8 form (Java would
     * write '?', and two different strings would become one value).
     */
    public static KvValue of(String text) {
        int lone = Unicode.loneSurrogateAt(Objects.requireNonNull(text, "text"));
        if (lone >= 0) {
            throw new IllegalArgumentException("value is not valid Unicode: a lone surrogate at char " + lone);
        }
        return new KvValue(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Takes {@code bytes}, which the caller has just filled and hands over, without a copy (for the
     * protocol decoders: a value arrives once and is never written again).
     */
    public static KvValue ofOwned(byte[] bytes) {
        return new KvValue(Objects.requireNonNull(bytes, "bytes"));
    }

    /** The bytes themselves, not a copy: for encoders, which only read them. */
    public byte[] bytesUnsafe() {
        return bytes;
    }

    /** Bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code source}, copied. */
    public static KvValue copyOf(byte[] source, int from, int to) {
        return new KvValue(Arrays.copyOfRange(source, from, to));
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the bytes into {@code out} without another copy. */
    public void writeTo(ByteBuffer out) {
        out.put(bytes);
    }

    /** Compares with bytes {@code from} to {@code to} of {@code other} without copying them. */
    public boolean contentEquals(byte[] other, int from, int to) {
        return Arrays.equals(bytes, 0, bytes.length, other, from, to);
    }

    /** The value as text when its bytes are valid UTF-8; empty when they are not. */
    public Optional<String> utf8() {
        // The String constructor is the fast path, but it replaces malformed input with U+FFFD:
        // only then is the strict decoder asked, so a real U+FFFD is kept and bad bytes are seen.
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return Optional.of(text);
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The bytes in Base64, for a JSON answer whose value is not text. */
    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvValue other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The text, or the Base64 of bytes that are not UTF-8 (for messages and tests). */
    @Override
    public String toString() {
        return utf8().orElseGet(() -> "base64:" + base64());
    }
}
