package io.saliencystream.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that forgets its least recently written key beyond {@code capacity} keys. Not thread-safe. */
final class BoundedMap<K, V> extends LinkedHashMap<K, V> {

    private final int capacity;

    BoundedMap(int capacity) {
        super(16, 0.75f, false);
        this.capacity = capacity;
    }

    @Override
    public V put(K key, V value) {
        // re-inserting moves the key to the newest end, so the eldest is the least recently written
        V old = super.remove(key);
        super.put(key, value);
        return old;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
