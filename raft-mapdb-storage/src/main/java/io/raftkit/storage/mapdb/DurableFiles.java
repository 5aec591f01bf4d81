package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.file.Path;

/** The steps that make a new file, or a new directory, survive a crash. */
final class DurableFiles {

    /** Writes the first contents of a new file. */
    interface Contents {
        void writeTo(DiskFile out) throws IOException;
    }

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

    /**
     * Creates {@code dir} and any missing parent, forcing the parent of each directory created so
     * that its name survives a power loss. Returns how many directories were created.
     */
    static int createDirectories(Disk disk, Path dir) throws IOException {
        java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !disk.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        int created = 0;
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                disk.createDirectory(p);
                created++;
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                if (!disk.isDirectory(p)) {
                    throw raced;
                }
            }
            forceParent(disk, p);
        }
        return created;
    }

    /**
     * Forces the directory holding {@code path}, so the entry naming {@code path} is durable. A store
     * forces its data directory's parent at every open, not only when it created the directory: a
     * process killed between creating the directory and forcing its parent leaves a name that only
     * the page cache holds, and the next open finds it "already there".
     */
    static void forceParent(Disk disk, Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || KnownBug.PARENT_DIRECTORY_NOT_FORCED.reintroduced()) {
            return;
        }
        try {
            disk.forceDirectory(parent);
        } catch (IOException e) {
            throw new IOException("cannot make the entry of " + path + " durable: forcing directory " + parent + " failed: " + e, e);
        }
    }
}
