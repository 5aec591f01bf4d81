package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Frames come out whole and in order however the reads cut them, and a pause holds the rest back. */
class FrameAssemblerTest {

    private final List<byte[]> out = new ArrayList<>();
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
            a.handle(Buffer.buffer().appendBytes(bytes, at, n));
            at += n;
        }
        assertThat(out).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertThat(out.get(i)).as("frame " + i).isEqualTo(frames.get(i));
        }
    }

    @Test
    void aPausedAssemblerHandsOnNothingUntilResumedThenTheRestInOrder() {
        List<byte[]> frames = frames(5, 100, new SplittableRandom(7));
        FrameAssembler a = assembler(Integer.MAX_VALUE, true);
        a.handle(Buffer.buffer(stream(frames)));
        assertThat(out).hasSize(1);
        a.handle(Buffer.buffer(stream(frames))); // what arrives while paused waits too
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
        Buffer header = Buffer.buffer().appendInt(1 << 30);
        assertThatThrownBy(() -> a.handle(header)).hasMessageContaining("too long: " + (1 << 30));
        assertThat(lengths).containsExactly(1 << 30);
        assertThat(out).isEmpty();
    }
}
