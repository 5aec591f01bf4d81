package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Frames come out whole and in order however the reads cut them, a pause holds the rest back, every read is released. */
class FrameAssemblerTest {

    private final List<byte[]> out = new ArrayList<>();
    private final List<Buffer> handedOn = new ArrayList<>();
    private final List<ByteBuf> reads = new ArrayList<>();
    private final List<Integer> lengths = new ArrayList<>();
    private FrameAssembler assembler;

    private FrameAssembler assembler(int limit, boolean pauseAfterEach) {
        assembler = new FrameAssembler(new FrameAssembler.Frames() {
            @Override
            public void length(int length) {
                lengths.add(length);
                if (length > limit) {
                    throw new IllegalArgumentException("too long: " + length);
                }
            }

            @Override
            public void frame(Buffer buffer, int start, int end) {
                out.add(buffer.getBytes(start, end));
                handedOn.add(buffer);
                if (pauseAfterEach) {
                    assembler.pause();
                }
            }
        });
        return assembler;
    }

    private static List<byte[]> frames(int count, int maxLength, SplittableRandom random) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] body = new byte[2 + random.nextInt(maxLength)];
            random.nextBytes(body);
            frames.add(body);
        }
        return frames;
    }

    /** A read as the socket hands it over: a reference-counted buffer the assembler must release. */
    private ByteBuf read(byte[] bytes, int from, int length) {
        ByteBuf b = Unpooled.directBuffer(length).writeBytes(bytes, from, length);
        reads.add(b);
        return b;
    }

    private ByteBuf read(byte[] bytes) {
        return read(bytes, 0, bytes.length);
    }

    private static byte[] stream(List<byte[]> frames) {
        Buffer all = Buffer.buffer();
        for (byte[] f : frames) {
            all.appendInt(f.length).appendBytes(f);
        }
        return all.getBytes();
    }

    @Test
    void framesCutAtEveryPossiblePlaceComeOutWholeAndInOrder() {
        SplittableRandom random = new SplittableRandom(16);
        List<byte[]> frames = frames(200, 3000, random);
        byte[] bytes = stream(frames);
        FrameAssembler a = assembler(Integer.MAX_VALUE, false);
        int at = 0;
        while (at < bytes.length) {
            // reads of 1 byte up to several frames, so lengths and bodies split everywhere
            int n = Math.min(bytes.length - at, random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1 + random.nextInt(8000));
            a.handle(read(bytes, at, n));
            at += n;
        }
        assertThat(out).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(out.get(i)).as("frame " + i).isEqualTo(frames.get(i));
        }
        assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).as("released once cut up").isZero());
    }

    @Test
    void aPausedAssemblerHandsOnNothingUntilResumedThenTheRestInOrder() {
        List<byte[]> frames = frames(5, 100, new SplittableRandom(7));
        FrameAssembler a = assembler(Integer.MAX_VALUE, true);
        a.handle(read(stream(frames)));
        assertThat(out).hasSize(1);
        a.handle(read(stream(frames))); // what arrives while paused waits too
        assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).as("held while paused").isOne());
        assertThat(out).hasSize(1);
        for (int i = 2; i <= 10; i++) {
            a.resume();
            assertThat(out).hasSize(i);
        }
        a.resume();
        assertThat(out).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(out.get(i)).isEqualTo(frames.get(i % 5));
        }
    }

    @Test
    void theLengthIsCheckedBeforeAnyOfTheBodyArrives() {
        FrameAssembler a = assembler(512, false);
        ByteBuf header = read(Buffer.buffer().appendInt(1 << 30).getBytes());
        assertThatThrownBy(() -> a.handle(header)).hasMessageContaining("too long: " + (1 << 30));
        assertThat(lengths).containsExactly(1 << 30);
        assertThat(out).isEmpty();
    }

    @Test
    void aNegativeLengthIsRefusedEvenWhenTheConnectionsCheckLetsItThrough() {
        // The connection's check admits lengths up to a limit; the assembler must not trust it with
        // the sign: -5 with ten bytes behind it once became a frame ending before its start.
        FrameAssembler a = assembler(Integer.MAX_VALUE, false);
        ByteBuf bytes = read(Buffer.buffer().appendInt(-5).appendBytes(new byte[10]).getBytes());
        assertThatThrownBy(() -> a.handle(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame length -5 is negative");
        assertThat(out).isEmpty();
        a.close();
        assertThat(bytes.refCnt()).as("released on close").isZero();
    }

    @Test
    void closingReleasesTheReadsThatWaitAndEveryReadAfter() {
        List<byte[]> frames = frames(3, 100, new SplittableRandom(3));
        FrameAssembler a = assembler(Integer.MAX_VALUE, true);
        a.handle(read(stream(frames)));
        ByteBuf waiting = read(stream(frames));
        a.handle(waiting);
        a.close();
        ByteBuf late = read(stream(frames));
        a.handle(late);
        a.resume();
        assertThat(out).hasSize(1);
        assertThat(reads).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void splitFramesAreGatheredIntoOneKeptArrayUnlessTheyAreBig() {
        int big = FrameAssembler.KEPT_GATHER_BYTES + 1;
        List<byte[]> frames = List.of(new byte[300], new byte[200], new byte[big], new byte[250]);
        for (int i = 0; i < frames.size(); i++) {
            frames.get(i)[0] = (byte) i;
        }
        byte[] bytes = stream(frames);
        FrameAssembler a = assembler(Integer.MAX_VALUE, false);
        for (int at = 0; at < bytes.length; at += 64) { // every frame split over reads
            a.handle(read(bytes, at, Math.min(64, bytes.length - at)));
        }
        assertThat(out).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(out.get(i)).isEqualTo(frames.get(i));
        }
        assertThat(handedOn.get(1)).as("the second frame reuses the first one's array").isSameAs(handedOn.get(0));
        assertThat(handedOn.get(3)).as("the big frame's array is not kept").isNotSameAs(handedOn.get(2));
    }
}
