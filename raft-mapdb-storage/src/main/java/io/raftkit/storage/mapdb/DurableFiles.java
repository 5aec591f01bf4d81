package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The steps that make a new file, or a new directory, survive a crash. */
final class DurableFiles {

    /** Writes the first contents of a new file. */
    interface Contents {
        void writeTo(DiskFile out) throws IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(DurableFiles.class);

    private DurableFiles() {
    }

    /**
     * Creates {@code file} whole or not at all: the contents go to {@code file.tmp}, which is forced,
     * renamed over and whose directory entry is forced. A crash leaves at most a {@code .tmp} file,
     * never a torn {@code file}.
     */
    static void createAtomically(Disk disk, Path file, Contents contents) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DiskFile out = disk.open(temp, true)) {
            out.truncate(0);
            contents.writeTo(out);
            out.force();
        }
        disk.rename(temp, file);
        disk.forceDirectory(file.getParent());
    }

    /** Creates {@code dir} and any missing parent; returns the directories created, outermost first. */
    static List<Path> createDirectories(Disk disk, Path dir) throws IOException {
        ArrayDeque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !disk.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        List<Path> created = new ArrayList<>();
        for (Path p : missing) {
            try {
                disk.createDirectory(p);
                created.add(p);
            } catch (FileAlreadyExistsException raced) {
                if (!disk.isDirectory(p)) {
                    throw raced;
                }
            }
        }
        return created;
    }

    /**
     * Forces every directory from the parent of {@code dir} up to the root, so that every name on
     * the way to a new store survives a power loss. Not only the ones created now: a process killed
     * after creating a directory and before forcing its parent leaves a name only the page cache
     * holds, which the next attempt finds "already there" (found by the storage fault model). The
     * parent of {@code dir} and of every directory in {@code created} must be forced; higher
     * directories are forced if they can be opened (a home directory of mode 711 cannot), with a
     * warning otherwise.
     */
    static void forceAncestors(Disk disk, Path dir, List<Path> created) throws IOException {
        if (KnownBug.PARENT_DIRECTORY_NOT_FORCED.reintroduced()) {
            return;
        }
        Path absolute = dir.toAbsolutePath();
        for (Path p = absolute; p.getParent() != null; p = p.getParent()) {
            try {
                disk.forceDirectory(p.getParent());
            } catch (IOException e) {
                if (p.equals(absolute) || created.contains(p)) {
                    throw new IOException("cannot make the entry of " + p + " durable: forcing directory " + p.getParent()
                            + " failed: " + e, e);
                }
                log.warn("could not force directory {} (the entry of {} may not survive a power loss if a crashed"
                        + " attempt created it): {}", p.getParent(), p, e.toString());
            }
        }
    }
}
