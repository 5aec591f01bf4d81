package io.raftkit.storage.mapdb;

/**
 * What the snapshot store takes from its surroundings: the file layer, and whether tables are read
 * through a memory-mapped MapDB volume (production) or through the file layer (the storage fault
 * model's simulated disk, which has no real file to map).
 */
record SnapshotEnvironment(Disk disk, boolean mapTables) {

    static final SnapshotEnvironment PRODUCTION = new SnapshotEnvironment(FileChannelDisk.INSTANCE, true);
}
