package io.raftkit.storage.mapdb;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * What a store takes from its surroundings: the file layer, the source of each segment's
 * whitening key, and the largest record a frame may hold. Users always get {@link #PRODUCTION};
 * the storage fault model's test passes a simulated disk, seeded keys and a small record limit
 * so that its oversize batches stay small.
 */
record StoreEnvironment(Disk disk, RandomGenerator keys, int maxRecordBytes) {

    static final StoreEnvironment PRODUCTION = new StoreEnvironment(FileChannelDisk.INSTANCE, new SecureRandom(),
            FrameCodec.MAX_RECORD);

    StoreEnvironment {
        if (maxRecordBytes < 64 || maxRecordBytes > FrameCodec.MAX_RECORD) {
            throw new IllegalArgumentException("maxRecordBytes must be 64.." + FrameCodec.MAX_RECORD + ", was " + maxRecordBytes);
        }
    }
}
