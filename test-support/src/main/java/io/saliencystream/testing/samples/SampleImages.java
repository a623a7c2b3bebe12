package io.saliencystream.testing.samples;

import io.saliencystream.engine.input.Bilinear;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic text-line crops, the demo's inputs for the text-orientation model: dark words on a
 * light, slightly noisy background at 192x48, upright or rotated by 180 degrees. The same seed
 * always gives the same image.
 */
public final class SampleImages {

    public static final int WIDTH = 192;
    public static final int HEIGHT = 48;

    private static final String[] WORDS = {
            "stream", "kafka", "model", "saliency", "invoice", "total", "paid", "order", "shipping",
            "address", "north", "station", "receipt", "amount", "date", "customer", "price", "number",
            "delivery", "window", "market", "river", "garden", "table", "report", "balance", "account",
            "street", "london", "berlin", "paris", "quantity", "tax", "due", "ref", "item", "page",
    };
    private static final String[] FONTS = {"DejaVu Sans", "DejaVu Serif", "SansSerif", "DejaVu Sans Mono"};

    /** One sample: its text, whether it is upside down, and the image. */
    public record Sample(String text, boolean rotated, BufferedImage image) {

        /** The label the text-orientation model should give. */
        public String expectedLabel() {
            return rotated ? "180" : "0";
        }
    }

    private SampleImages() {
    }

    /** {@code count} samples from {@code seed}, alternating upright and rotated. */
    public static List<Sample> samples(long seed, int count) {
        List<Sample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(sample(seed * 1_000_003L + i, i % 2 == 1));
        }
        return out;
    }

    public static Sample sample(long seed, boolean rotated) {
        Random rnd = new Random(seed);
        String text = text(rnd);
        Font font = new Font(FONTS[rnd.nextInt(FONTS.length)], rnd.nextInt(4) == 0 ? Font.BOLD : Font.PLAIN,
                30 + rnd.nextInt(5));
        // like a text detector's crop: the line fills the height with a small margin; a line
        // wider than 4:1 is squeezed to 192 wide, as PaddleOCR's own resize would do
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        pg.dispose();
        int lineWidth = fm.stringWidth(text) + 8 + rnd.nextInt(8);
        int canvasWidth = Math.max(WIDTH, lineWidth);
        BufferedImage img = new BufferedImage(canvasWidth, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            int bg = 215 + rnd.nextInt(36);
            g.setColor(new Color(clamp(bg + rnd.nextInt(11) - 5), clamp(bg + rnd.nextInt(11) - 5), clamp(bg + rnd.nextInt(11) - 5)));
            g.fillRect(0, 0, canvasWidth, HEIGHT);
            int ink = rnd.nextInt(60);
            g.setColor(new Color(ink, ink, clamp(ink + rnd.nextInt(30))));
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            int x = Math.max(2, (canvasWidth - fm.stringWidth(text)) / 2 + rnd.nextInt(5) - 2);
            int y = (HEIGHT - fm.getHeight()) / 2 + fm.getAscent() + rnd.nextInt(3) - 1;
            g.drawString(text, x, y);
        } finally {
            g.dispose();
        }
        BufferedImage line = Bilinear.resize(img, WIDTH, HEIGHT);
        addNoise(line, rnd);
        return new Sample(text, rotated, rotated ? rotate180(line) : line);
    }

    private static String text(Random rnd) {
        StringBuilder sb = new StringBuilder(WORDS[rnd.nextInt(WORDS.length)]);
        int words = 1 + rnd.nextInt(3);
        // a short word alone would leave most of the crop blank, unlike a detector's tight crop
        for (int i = 1; i < words || sb.length() < 10; i++) {
            sb.append(' ').append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        if (rnd.nextInt(3) == 0) {
            sb.append(' ').append(rnd.nextInt(1000));
        }
        if (rnd.nextBoolean()) {
            sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
        }
        return sb.toString();
    }

    private static void addNoise(BufferedImage img, Random rnd) {
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int rgb = img.getRGB(x, y);
                int n = (int) Math.round(rnd.nextGaussian() * 4);
                img.setRGB(x, y, (clamp(((rgb >> 16) & 0xff) + n) << 16) | (clamp(((rgb >> 8) & 0xff) + n) << 8) | clamp((rgb & 0xff) + n));
            }
        }
    }

    private static BufferedImage rotate180(BufferedImage img) {
        BufferedImage out = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                out.setRGB(WIDTH - 1 - x, HEIGHT - 1 - y, img.getRGB(x, y));
            }
        }
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
