package io.raftkit.kv;

/** One stored key's value and its history markers (the etcd model: version, create and mod revision). */
public record KvEntry(String value, long version, long createIndex, long modIndex) {

    KvEntry overwrite(String newValue, long index) {
        return new KvEntry(newValue, version + 1, createIndex, index);
    }

    static KvEntry created(String value, long index) {
        return new KvEntry(value, 1, index, index);
    }
}
