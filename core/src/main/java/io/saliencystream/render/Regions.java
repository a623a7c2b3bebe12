package io.saliencystream.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Connected regions of highlighted pixels, for outline overlays. Pixels join a region when
 * they touch by an edge or a corner (8-connectivity) and have the same sign; regions are found
 * by an iterative flood fill, so a region the size of the whole map cannot overflow the stack.
 */
public final class Regions {

    /**
     * One region.
     *
     * @param label    its number in {@link #labels()}, from 1
     * @param positive sign of its attribution
     * @param area     pixels
     * @param mass     sum of |strength| over its pixels
     */
    public record Region(int label, boolean positive, int area, double mass) {
    }

    private final int width;
    private final int height;
    private final int[] labels;
    private final List<Region> regions;

    private Regions(int width, int height, int[] labels, List<Region> regions) {
        this.width = width;
        this.height = height;
        this.labels = labels;
        this.regions = regions;
    }

    /**
     * The {@code keep} largest regions of each sign (by area, then by mass); pixels of the
     * other regions get label 0.
     */
    public static Regions largest(ClippedMap map, int keep) {
        int w = map.width();
        int h = map.height();
        int[] label = new int[w * h];
        // per region found: area, mass and sign, in growing arrays rather than a list of
        // records (a noisy gradient map has thousands of regions, most of them one pixel)
        int[] areas = new int[64];
        double[] masses = new double[64];
        boolean[] signs = new boolean[64];
        int found = 0;
        int[] stack = new int[w * h];
        for (int start = 0; start < label.length; start++) {
            if (label[start] != 0 || map.highlighted()[start] == 0) {
                continue;
            }
            boolean positive = map.strength()[start] >= 0;
            int id = found + 1;
            int area = 0;
            double mass = 0;
            int top = 0;
            stack[top++] = start;
            label[start] = id;
            while (top > 0) {
                int p = stack[--top];
                area++;
                mass += Math.abs(map.strength()[p]);
                int px = p % w;
                int py = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = px + dx;
                        int y = py + dy;
                        if (x < 0 || y < 0 || x >= w || y >= h) {
                            continue;
                        }
                        int q = y * w + x;
                        if (label[q] == 0 && map.highlighted()[q] > 0 && (map.strength()[q] >= 0) == positive) {
                            label[q] = id;
                            stack[top++] = q;
                        }
                    }
                }
            }
            if (found == areas.length) {
                areas = Arrays.copyOf(areas, 2 * found);
                masses = Arrays.copyOf(masses, 2 * found);
                signs = Arrays.copyOf(signs, 2 * found);
            }
            areas[found] = area;
            masses[found] = mass;
            signs[found] = positive;
            found++;
        }
        List<Region> kept = new ArrayList<>();
        for (boolean sign : new boolean[] {true, false}) {
            kept.addAll(largestOfSign(areas, masses, signs, found, sign, keep));
        }
        boolean[] keepLabel = new boolean[found + 1];
        kept.forEach(r -> keepLabel[r.label()] = true);
        for (int i = 0; i < label.length; i++) {
            if (!keepLabel[label[i]]) {
                label[i] = 0;
            }
        }
        return new Regions(w, h, label, List.copyOf(kept));
    }

    /** Largest first (by area, then mass; ties in the order found), at most {@code keep}. */
    private static final Comparator<Region> LARGEST_FIRST = Comparator.comparingInt(Region::area).reversed()
            .thenComparing(Comparator.comparingDouble(Region::mass).reversed());

    /**
     * The {@code keep} largest regions of one sign in {@link #LARGEST_FIRST} order, by insertion
     * into a short list: a noisy gradient map has thousands of regions, and sorting them all was
     * a good part of drawing its outlines.
     */
    private static List<Region> largestOfSign(int[] areas, double[] masses, boolean[] signs, int found, boolean positive, int keep) {
        List<Region> top = new ArrayList<>(keep + 1);
        for (int i = 0; i < found; i++) {
            if (signs[i] != positive || top.size() == keep && areas[i] < top.get(keep - 1).area()) {
                continue; // the wrong sign, or smaller than every kept region: most of a noisy map's regions
            }
            Region r = new Region(i + 1, positive, areas[i], masses[i]);
            int at = top.size();
            while (at > 0 && LARGEST_FIRST.compare(r, top.get(at - 1)) < 0) {
                at--;
            }
            if (at < keep) {
                top.add(at, r);
                if (top.size() > keep) {
                    top.remove(keep);
                }
            }
        }
        return top;
    }

    /** The kept regions, positive ones first, each sign largest first. */
    public List<Region> regions() {
        return regions;
    }

    /** Region label per pixel, row-major; 0 outside the kept regions. */
    public int[] labels() {
        return labels.clone();
    }

    /** 1 inside a kept region of the given sign, else 0, row-major (floats so they can be interpolated). */
    public float[] mask(boolean positive) {
        int labelCount = regions.stream().mapToInt(Region::label).max().orElse(0) + 1;
        boolean[] signOf = new boolean[labelCount];
        boolean[] kept = new boolean[labelCount];
        for (Region r : regions) {
            kept[r.label()] = true;
            signOf[r.label()] = r.positive();
        }
        float[] m = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            m[i] = l != 0 && kept[l] && signOf[l] == positive ? 1f : 0f;
        }
        return m;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
