package io.saliencystream.render;

/**
 * Working arrays of the renderer, one set per thread, reused from overlay to overlay: a
 * 224x224 overlay needs about 800 KB of them, and fresh arrays each time had to be zeroed and
 * came from memory the explanation before had pushed out of the caches (drawing after an
 * explanation took half as long again as drawing in a loop). Each slot has one user; its
 * contents are whatever that user left, so only what the user writes first may be read.
 * Threads (Kafka Streams' stream threads) each get their own set.
 */
final class Scratch {

    /** The slots: each used by one method, which writes before it reads. */
    enum Ints { CLIP_BITS, CLIP_CANDIDATES, REGION_STARTS, REGION_STACK }

    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    private final int[][] ints = new int[Ints.values().length][];
    private byte[] regionKinds = new byte[0];
    private float[] regionMagnitudes = new float[0];

    private Scratch() {
    }

    static Scratch get() {
        return PER_THREAD.get();
    }

    /** At least {@code n} ints of the slot, contents left over from its last use. */
    int[] ints(Ints slot, int n) {
        int[] a = ints[slot.ordinal()];
        if (a == null || a.length < n) {
            a = new int[n];
            ints[slot.ordinal()] = a;
        }
        return a;
    }

    /** At least {@code n} bytes for Regions' kinds, contents left over from its last use. */
    byte[] regionKinds(int n) {
        if (regionKinds.length < n) {
            regionKinds = new byte[n];
        }
        return regionKinds;
    }

    /** At least {@code n} floats for Regions' magnitudes, contents left over from its last use. */
    float[] regionMagnitudes(int n) {
        if (regionMagnitudes.length < n) {
            regionMagnitudes = new float[n];
        }
        return regionMagnitudes;
    }
}
