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
    /** Every region's label (kept or not) per pixel, in the map with a one-pixel border of 0. */
    private final int[] grid;
    /** Per label: 1 for a kept positive region, 2 for a kept negative one, else 0. */
    private final byte[] sideOfLabel;
    private final List<Region> regions;

    private Regions(int width, int height, int[] grid, byte[] sideOfLabel, List<Region> regions) {
        this.width = width;
        this.height = height;
        this.grid = grid;
        this.sideOfLabel = sideOfLabel;
        this.regions = regions;
    }

    /**
     * The {@code keep} largest regions of each sign (by area, then by mass); pixels of the
     * other regions get label 0.
     */
    public static Regions largest(ClippedMap map, int keep) {
        int w = map.width();
        int h = map.height();
        float[] strength = map.strength();
        float[] highlighted = map.highlighted();
        // the map in a grid with a one-pixel border of nothing, so a pixel's eight neighbours
        // are fixed offsets without bounds checks: per pixel its kind, 0 (not highlighted),
        // 1 (positive) or 2 (negative), and |strength|; the highlighted pixels listed in order,
        // to start regions from
        int stride = w + 2;
        int cells = stride * (h + 2);
        // this thread's working arrays (see Scratch): the interior is written below, the border cleared here
        Scratch scratch = Scratch.get();
        byte[] kind = scratch.regionKinds(cells);
        float[] magnitude = scratch.regionMagnitudes(cells);
        int[] starts = scratch.ints(Scratch.Ints.REGION_STARTS, w * h);
        Arrays.fill(kind, 0, stride, (byte) 0);
        Arrays.fill(kind, cells - stride, cells, (byte) 0);
        for (int y = 1; y <= h; y++) {
            kind[y * stride] = 0;
            kind[y * stride + stride - 1] = 0;
        }
        int highlightedCount = 0;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int cell = (y + 1) * stride + 1;
            for (int x = 0; x < w; x++) {
                // from the bits, without a branch a noisy map would mispredict: highlighted is 1
                // or 0, and the kind is 2 where the strength is below 0 (not -0), else 1
                int on = -Float.floatToRawIntBits(highlighted[row + x]) >>> 31;
                int s = Float.floatToRawIntBits(strength[row + x]);
                int negative = (s & -(s & 0x7fffffff)) >>> 31;
                kind[cell + x] = (byte) (on + (on & negative));
                magnitude[cell + x] = Float.intBitsToFloat(s & 0x7fffffff);
                starts[highlightedCount] = cell + x;
                highlightedCount += on;
            }
        }
        // dy major, dx minor, as the flood fill has always visited them (the order of the mass's sum)
        int[] neighbours = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};
        int[] grid = new int[cells];
        // per region found: area, mass and sign, in growing arrays rather than a list of
        // records (a noisy gradient map has thousands of regions, most of them one pixel)
        int[] areas = new int[64];
        double[] masses = new double[64];
        boolean[] signs = new boolean[64];
        int found = 0;
        // each highlighted pixel is pushed once at most
        int[] stack = scratch.ints(Scratch.Ints.REGION_STACK, highlightedCount);
        for (int k = 0; k < highlightedCount; k++) {
            int start = starts[k];
            if (grid[start] != 0) {
                continue;
            }
            byte own = kind[start];
            int id = found + 1;
            int area = 0;
            double mass = 0;
            int top = 0;
            stack[top++] = start;
            grid[start] = id;
            while (top > 0) {
                int p = stack[--top];
                area++;
                mass += magnitude[p];
                for (int offset : neighbours) {
                    int q = p + offset;
                    if (grid[q] == 0 && kind[q] == own) {
                        grid[q] = id;
                        stack[top++] = q;
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
            signs[found] = own == 1;
            found++;
        }
        List<Region> kept = new ArrayList<>();
        for (boolean sign : new boolean[] {true, false}) {
            kept.addAll(largestOfSign(areas, masses, signs, found, sign, keep));
        }
        // the grid is kept as it is, and labels or sides are read from it when asked for
        byte[] sideOfLabel = new byte[found + 1];
        kept.forEach(r -> sideOfLabel[r.label()] = (byte) (r.positive() ? 1 : 2));
        return new Regions(w, h, grid, sideOfLabel, List.copyOf(kept));
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
        int[] labels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int l = grid[(y + 1) * (width + 2) + x + 1];
                labels[y * width + x] = sideOfLabel[l] != 0 ? l : 0;
            }
        }
        return labels;
    }

    /** 1 inside a kept region of the given sign, else 0, row-major (floats so they can be interpolated). */
    public float[] mask(boolean positive) {
        boolean[] in = inside(positive);
        float[] m = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            m[i] = in[i] ? 1f : 0f;
        }
        return m;
    }

    /** Whether each pixel lies in a kept region of the given sign, row-major. */
    boolean[] inside(boolean positive) {
        byte[] side = sides();
        boolean[] in = new boolean[side.length];
        for (int i = 0; i < side.length; i++) {
            in[i] = side[i] == (positive ? 1 : 2);
        }
        return in;
    }

    /**
     * Per pixel, row-major: 1 in a kept positive region, 2 in a kept negative one, 0 elsewhere;
     * from the labels by a table per label, no branch per pixel.
     */
    byte[] sides() {
        byte[] side = new byte[width * height];
        for (int y = 0; y < height; y++) {
            int cell = (y + 1) * (width + 2) + 1;
            int row = y * width;
            for (int x = 0; x < width; x++) {
                side[row + x] = sideOfLabel[grid[cell + x]];
            }
        }
        return side;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
