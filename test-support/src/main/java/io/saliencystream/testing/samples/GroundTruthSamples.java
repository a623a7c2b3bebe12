package io.saliencystream.testing.samples;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Images with known true regions for the ground-truth model "shapes" (models/groundtruth):
 * 64x64 pictures of one shape (circle, square, triangle, cross) on clutter, the shape's box, and
 * whether the spurious stamp (bottom-right corner) is painted on. They are written by the same
 * Python generator that made the training data (models/groundtruth/train.py) and shipped as
 * two PNG sheets plus index.json, so Java sees exactly the training distribution, pixel for
 * pixel, without a second generator to keep in step.
 *
 * <p>{@link #clean()}: 200 images, 50 per class, no stamp. {@link #stamped()}: 60 squares,
 * triangles and crosses, each with the stamp the model learnt as a shortcut for "circle".
 */
public final class GroundTruthSamples {

    private static final String DIR = "/samples/groundtruth/";

    /**
     * One sample; boxes in pixels, x1 and y1 exclusive.
     *
     * @param label   the true class label
     * @param box     the shape's bounding box {x0, y0, x1, y1}
     * @param stamped whether the stamp is painted on
     * @param stamp   the stamp's box {x0, y0, x1, y1} (where it would be when not painted)
     */
    public record Sample(BufferedImage image, String label, int labelIndex, int[] box, boolean stamped, int[] stamp) {
    }

    private record Index(int size, List<String> classes, int[] stamp, List<Sheet> sheets) {
    }

    private record Sheet(String file, int columns, List<Entry> samples) {
    }

    private record Entry(String label, int[] box, boolean stamped) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private GroundTruthSamples() {
    }

    /** Class labels in the model's output order. */
    public static List<String> classes() {
        return index().classes();
    }

    public static List<Sample> clean() {
        return sheet("clean.png");
    }

    public static List<Sample> stamped() {
        return sheet("stamped.png");
    }

    private static Index index() {
        try (InputStream in = resource("index.json")) {
            return JSON.readValue(in, Index.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR + "index.json: " + e.getMessage(), e);
        }
    }

    private static List<Sample> sheet(String file) {
        Index index = index();
        Sheet sheet = index.sheets().stream().filter(s -> s.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalStateException(DIR + "index.json lists no sheet " + file));
        BufferedImage all;
        try (InputStream in = resource(file)) {
            all = ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR + file + ": " + e.getMessage(), e);
        }
        int s = index.size();
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < sheet.samples().size(); i++) {
            Entry e = sheet.samples().get(i);
            BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
            int x0 = (i % sheet.columns()) * s;
            int y0 = (i / sheet.columns()) * s;
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    img.setRGB(x, y, all.getRGB(x0 + x, y0 + y) & 0xffffff);
                }
            }
            int labelIndex = index.classes().indexOf(e.label());
            if (labelIndex < 0) {
                throw new IllegalStateException(DIR + file + " sample " + i + " has unknown label " + e.label());
            }
            out.add(new Sample(img, e.label(), labelIndex, e.box().clone(), e.stamped(), index.stamp().clone()));
        }
        return out;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = GroundTruthSamples.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IOException("no resource " + DIR + name + " on the classpath");
        }
        return in;
    }
}
