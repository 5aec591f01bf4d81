package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The two steps that make a new file or a directory change survive a crash. */
final class DurableFiles {

    /** Writes the first contents of a new file. */
    interface Contents {
        void writeTo(FileChannel out) throws IOException;
    }

    private DurableFiles() {
    }

    /**
     * Creates {@code file} whole or not at all: the contents go to {@code file.tmp}, which is forced,
     * renamed over and whose directory entry is forced. A crash leaves at most a {@code .tmp} file,
     * never a torn {@code file}.
     */
    static void createAtomically(Path file, Contents contents) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            contents.writeTo(out);
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    /** Makes a created, renamed or deleted file's directory entry durable. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
