package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file read through {@link DiskStreams#input} in reads of every size, mixed with skips, gives its bytes in order. */
class DiskStreamsTest {

    @TempDir
    Path dir;

    @Test
    void smallReadsChunkSizedReadsAndSkipsMixedGiveTheFileInOrder() throws IOException {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        byte[] content = new byte[3 * 256 * 1024 + 12_345];
        random.nextBytes(content);
        DiskFile file = FileChannelDisk.INSTANCE.open(dir.resolve("f"), true);
        file.write(ByteBuffer.wrap(content), 0);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = DiskStreams.input(file, 0)) {
            int at = 0;
            while (at < content.length) {
                int pick = random.nextInt(4);
                int len = pick == 0 ? 1 + random.nextInt(100) : pick == 1 ? 256 * 1024 + random.nextInt(3) * 1000 : 1 + random.nextInt(300_000);
                if (random.nextInt(5) == 0) {
                    long skipped = in.skip(len);
                    at += (int) skipped;
                    continue;
                }
                byte[] buffer = new byte[len + 3];
                int n = in.readNBytes(buffer, 3, len);
                got.write(buffer, 3, n);
                expected.write(content, at, Math.min(len, content.length - at));
                at += n;
            }
            assertThat(in.read(new byte[256 * 1024])).isEqualTo(-1);
        } finally {
            file.close();
        }
        assertThat(got.toByteArray()).as("seed " + seed).isEqualTo(expected.toByteArray());
    }
}
