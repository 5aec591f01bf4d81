package io.raftkit.kv.http;

import io.raftkit.kv.Unicode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads keys and JSON bodies strictly. Vert.x decodes both leniently: a percent-encoded byte that is
 * not UTF-8 ({@code %FF}), or such a byte in a body, becomes U+FFFD, so different raw keys collide
 * and a value changes on the way in. Here they are refused with a 400 that says where, and so is a
 * JSON string holding a lone surrogate ({@code "\ud800"}), which has no UTF-8 form.
 */
final class RequestInput {

    private static final String KV_PREFIX = "/v1/kv/";

    private RequestInput() {
    }

    /**
     * The key of a {@code /v1/kv/{key}[/cas]} path: its percent-escapes decoded, and raw bytes (the
     * request line arrives as Latin-1 characters, one a byte) taken as they came, then the whole
     * strictly decoded as UTF-8. A raw UTF-8 key and its percent-encoded form are the same key.
     */
    static String key(String normalizedPath) throws BadRequest {
        int start = KV_PREFIX.length();
        int end = normalizedPath.indexOf('/', start);
        String raw = normalizedPath.substring(start, end < 0 ? normalizedPath.length() : end);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new BadRequest("invalid-key", "the key has a broken percent-escape at character " + i + " of the path segment");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c <= 0xFF) {
                bytes.write(c);
            } else {
                throw new BadRequest("invalid-key", "the key holds character U+" + Integer.toHexString(c) + " that no request byte encodes");
            }
        }
        return strictUtf8(bytes.toByteArray(), "invalid-key", "the key (percent-decoded path segment)");
    }

    /** The body as a JSON object; its bytes must be UTF-8 (RFC 8259 §8.1). */
    static JsonObject jsonObject(Buffer body) throws BadRequest {
        if (body == null || body.length() == 0) {
            throw new BadRequest("invalid-json", "the request body is empty; expected a JSON object");
        }
        String text = strictUtf8(body.getBytes(), "invalid-utf8", "the request body");
        if (text.isBlank()) {
            throw new BadRequest("invalid-json", "the request body is empty; expected a JSON object");
        }
        try {
            Object parsed = Json.decodeValue(text);
            if (!(parsed instanceof JsonObject object)) {
                throw new BadRequest("invalid-json", "the request body must be a JSON object");
            }
            return object;
        } catch (DecodeException e) {
            throw new BadRequest("invalid-json", "the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    /** Refuses a string field that cannot be stored as UTF-8 as it is. */
    static void requireUnicode(String field, String value) throws BadRequest {
        int at = Unicode.loneSurrogateAt(value);
        if (at >= 0) {
            throw new BadRequest("invalid-unicode", "field '" + field + "' holds a lone surrogate (\\u"
                    + Integer.toHexString(value.charAt(at)) + ") at character " + at + "; it has no UTF-8 form, so it cannot be stored as sent");
        }
    }

    private static String strictUtf8(byte[] bytes, String error, String what) throws BadRequest {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (result.isError()) {
            throw new BadRequest(error, what + " is not valid UTF-8: " + result.length() + " bad byte(s) at byte " + in.position());
        }
        return out.flip().toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
