package io.raftkit.kv;

/** One stored key's value and its history markers (the etcd model: version, create and mod revision). */
public record KvEntry(KvValue value, long version, long createIndex, long modIndex) {

    KvEntry overwrite(KvValue newValue, long index) {
        return new KvEntry(newValue, version + 1, createIndex, index);
    }

    static KvEntry created(KvValue value, long index) {
        return new KvEntry(value, 1, index, index);
    }
}
