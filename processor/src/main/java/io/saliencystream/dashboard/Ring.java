package io.saliencystream.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The newest {@code capacity} items added, oldest dropped first. Not thread-safe: {@link DashboardState} guards it. */
final class Ring<T> {

    private final int capacity;
    private final ArrayDeque<T> items;

    Ring(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a ring holds at least 1 item, got " + capacity);
        }
        this.capacity = capacity;
        this.items = new ArrayDeque<>(Math.min(capacity, 64));
    }

    void add(T item) {
        if (items.size() == capacity) {
            items.removeFirst();
        }
        items.addLast(item);
    }

    /** Oldest first. */
    List<T> items() {
        return new ArrayList<>(items);
    }

    int size() {
        return items.size();
    }
}
