package io.raftkit.kv.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.kv.KvValue;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    private static final List<WireRequest> REQUESTS = List.of(
            new WireRequest(WireOp.PUT, 1, 42, 7, "ключ", null, KvValue.of(new byte[]{0, (byte) 0xFF, 1})),
            new WireRequest(WireOp.DELETE, 2, 0, 0, "k", null, null),
            new WireRequest(WireOp.CAS, 3, 42, 8, "k", KvValue.of("old"), KvValue.of("new")),
            new WireRequest(WireOp.CAS, 4, 42, 9, "k", null, KvValue.EMPTY),
            new WireRequest(WireOp.GET, -5, 0, 0, "", null, null),
            new WireRequest(WireOp.GET_STALE, Integer.MAX_VALUE, 0, 0, "x".repeat(300), null, null));

    private static Buffer encoded(List<WireRequest> requests) {
        Buffer out = Buffer.buffer();
        requests.forEach(r -> WireCodec.write(r, out));
        return out;
    }

    @Test
    void everyRequestKindSurvivesARoundTrip() throws Exception {
        for (WireRequest r : REQUESTS) {
            Buffer out = Buffer.buffer();
            WireCodec.write(r, out);
            assertThat(out.getInt(0)).isEqualTo(out.length() - 4);
            assertThat(WireCodec.readRequest(out, 4, out.length())).isEqualTo(r);
        }
    }

    @Test
    void resultsAndErrorsSurviveARoundTrip() throws Exception {
        WireResponse result = WireResponse.result(9, WireResponse.DUPLICATE | WireResponse.CAS_FAILED, 3, 10, 12, 14, KvValue.of("v"));
        WireResponse absent = WireResponse.result(10, 0, 0, 0, 0, 15, null);
        WireResponse error = WireResponse.error(11, 503, "{\"error\":\"not-leader\"}".getBytes());
        for (WireResponse r : List.of(result, absent, error)) {
            Buffer out = Buffer.buffer();
            WireCodec.write(r, out);
            WireResponse back = WireCodec.readResponse(out, 4, out.length());
            assertThat(back.id()).isEqualTo(r.id());
            assertThat(back.status()).isEqualTo(r.status());
            assertThat(back.flags()).isEqualTo(r.flags());
            assertThat(back.index()).isEqualTo(r.index());
            assertThat(back.value()).isEqualTo(r.value());
            assertThat(back.errorJson()).isEqualTo(r.errorJson());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void framesCutAtAnyPointAreReassembledInOrder(long seed) {
        Random random = new Random(seed);
        Buffer all = encoded(REQUESTS);
        for (int round = 0; round < 200; round++) {
            List<WireRequest> seen = new ArrayList<>();
            FrameSplitter splitter = new FrameSplitter(1_000);
            int position = 0;
            while (position < all.length()) {
                int size = 1 + random.nextInt(round % 2 == 0 ? 3 : 200);
                int to = Math.min(all.length(), position + size);
                splitter.feed(all.getBuffer(position, to), collect(seen));
                position = to;
            }
            assertThat(seen).as("seed %d round %d", seed, round).isEqualTo(REQUESTS);
            assertThat(splitter.partialSinceNanos()).isZero();
        }
    }

    @Test
    void aFrameOverTheLimitIsDroppedAndReportedWithItsIdWhileLaterFramesStillArrive() {
        WireRequest big = new WireRequest(WireOp.PUT, 77, 1, 1, "k", null, KvValue.of(new byte[5_000]));
        Buffer bytes = encoded(List.of(REQUESTS.get(0), big, REQUESTS.get(1)));
        List<WireRequest> seen = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>();
        FrameSplitter splitter = new FrameSplitter(1_000);
        for (int i = 0; i < bytes.length(); i += 7) {
            splitter.feed(bytes.getBuffer(i, Math.min(bytes.length(), i + 7)), new FrameSplitter.Handler() {
                @Override
                public void frame(Buffer buffer, int start, int end) {
                    collect(seen).frame(buffer, start, end);
                }

                @Override
                public void tooLarge(long length, int id) {
                    dropped.add(id);
                }
            });
        }
        assertThat(dropped).containsExactly(77);
        assertThat(seen).containsExactly(REQUESTS.get(0), REQUESTS.get(1));
        assertThat(splitter.gatheringBytes()).as("nothing of the big frame was kept").isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomBytesNeverDecodeToAnythingButAMalformedFrame(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (1 + random.nextInt(5)); // a real op, garbage after it
            }
            try {
                WireCodec.readRequest(Buffer.buffer(bytes), 0, bytes.length);
            } catch (MalformedFrameException expected) {
                assertThat(expected.error()).as("seed %d", seed).isIn("bad-frame", "invalid-key", "invalid-header");
            }
        }
    }

    @Test
    void aKeyThatIsNotUtf8IsRefusedNotReplaced() {
        Buffer frame = Buffer.buffer().appendByte((byte) 4).appendInt(1).appendUnsignedShort(1).appendByte((byte) 0xFF);
        assertThatThrownBy(() -> WireCodec.readRequest(frame, 0, frame.length()))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("not valid UTF-8");
    }

    private static FrameSplitter.Handler collect(List<WireRequest> seen) {
        return new FrameSplitter.Handler() {
            @Override
            public void frame(Buffer buffer, int start, int end) {
                try {
                    seen.add(WireCodec.readRequest(buffer, start, end));
                } catch (MalformedFrameException e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public void tooLarge(long length, int id) {
                throw new AssertionError("too large: " + length);
            }
        };
    }
}
