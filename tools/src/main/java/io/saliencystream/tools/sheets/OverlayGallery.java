package io.saliencystream.tools.sheets;

import io.saliencystream.tools.demo.DemoCatalog;
import io.saliencystream.render.OverlayOptions;
import io.saliencystream.render.OverlayRenderer;

import io.saliencystream.engine.AttributionMap;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.SampleImages;
import io.saliencystream.tools.sheets.ContactSheet.Tile;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A gallery of every overlay option on one explanation: one row per option, one tile per
 * value, each tile changing only that option from the occlusion defaults. {@link #main} renders
 * it for the PaddleOCR text-orientation model as {@code docs/img/overlay-options.png}.
 */
public final class OverlayGallery {

    /** Tiles are drawn at this scale: a 192x48 input becomes 384x96. */
    public static final int TILE_SCALE = 2;

    private OverlayGallery() {
    }

    /**
     * The gallery sheet for {@code map} over {@code image} (the image as the model saw it);
     * {@code caption} goes into every tile's footer, {@code method} names the map's method.
     */
    public static ContactSheet sheet(BufferedImage image, AttributionMap map, String method, String caption) {
        OverlayOptions base = OverlayOptions.forMethod(method).withCaption(caption).with(Map.of("scale", Integer.toString(TILE_SCALE)));
        ContactSheet sheet = new ContactSheet("Overlay options on one " + method + " map (each tile changes one option of the "
                + method + " defaults)");
        OverlayOptions upper = base.with(Map.of("polarity", "positive", "clip_below_percentile", "70"));
        sheet.row("type (polarity positive, clip_below 70)", tiles(image, map, upper, "type", "pixels", "outlines"));
        sheet.row("polarity", tiles(image, map, base, "polarity", "positive", "negative", "both"));
        sheet.row("clip_below / clip_above percentile", List.of(
                tile(image, map, base, Map.of("clip_below_percentile", "0", "clip_above_percentile", "99.9"), "0 / 99.9"),
                tile(image, map, base, Map.of("clip_below_percentile", "0", "clip_above_percentile", "80"), "0 / 80 (saturates)"),
                tile(image, map, base, Map.of("clip_below_percentile", "70", "clip_above_percentile", "99.9"), "70 / 99.9"),
                tile(image, map, base, Map.of("clip_below_percentile", "90", "clip_above_percentile", "100"), "90 / 100")));
        sheet.row("color_map (signed maps, polarity both)", tiles(image, map, base, "color_map", "pink_green", "red_green", "pink_white_green"));
        OverlayOptions positive = base.with(Map.of("polarity", "positive", "clip_below_percentile", "50"));
        sheet.row("color_map (sequential maps, polarity positive, clip_below 50)", tiles(image, map, positive, "color_map", "viridis", "red", "green"));
        sheet.row("overlay_type (pixels)", tiles(image, map, base, "overlay_type", "none", "original", "grayscale", "mask_black"));
        OverlayOptions outlines = upper.with(Map.of("type", "outlines"));
        sheet.row("overlay_type (outlines, positive, clip_below 70)", tiles(image, map, outlines, "overlay_type", "none", "original", "grayscale", "mask_black"));
        List<Tile> methods = new ArrayList<>();
        for (String m : List.of("occlusion", "integrated_gradients", "xrai", "rise", "kernelshap")) {
            OverlayOptions o = OverlayOptions.forMethod(m).withCaption(caption).with(Map.of("scale", Integer.toString(TILE_SCALE)));
            methods.add(new Tile(OverlayRenderer.renderImage(image, map, o), m + ": " + describe(o)));
        }
        sheet.row("defaults per method (forMethod), drawn on this map", methods);
        return sheet;
    }

    private static List<Tile> tiles(BufferedImage image, AttributionMap map, OverlayOptions base, String key, String... values) {
        List<Tile> tiles = new ArrayList<>();
        for (String v : values) {
            tiles.add(tile(image, map, base, Map.of(key, v), v));
        }
        return tiles;
    }

    private static Tile tile(BufferedImage image, AttributionMap map, OverlayOptions base, Map<String, String> change, String caption) {
        return new Tile(OverlayRenderer.renderImage(image, map, base.with(change)), caption);
    }

    private static String describe(OverlayOptions o) {
        return String.format(Locale.ROOT, "%s %s %s", OverlayOptions.id(o.type()), OverlayOptions.id(o.polarity()), o.colorMap().id());
    }

    /**
     * A sample text line recoloured dark blue on cream paper, so that the original and the
     * grayscale overlay types differ visibly; the model sees the same strokes.
     */
    public static BufferedImage tinted(BufferedImage gray) {
        int[] ink = {20, 40, 120};
        int[] paper = {250, 232, 190};
        BufferedImage out = new BufferedImage(gray.getWidth(), gray.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < gray.getHeight(); y++) {
            for (int x = 0; x < gray.getWidth(); x++) {
                double l = OverlayRenderer.luminance(gray.getRGB(x, y)) / 255.0;
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    rgb = rgb << 8 | (int) Math.round(ink[c] + l * (paper[c] - ink[c]));
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /** Renders the gallery for the PaddleOCR model into {@code args[0]} (default docs/img/overlay-options.png). */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/img/overlay-options.png");
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore())) {
            CatalogModel model = catalog.require("text-orientation", "ppocr-mobile-v2.0-cls");
            BufferedImage image = tinted(SampleImages.sample(2024, false).image());
            Explanation e = new ExplanationEngine().explain(model, image, 42L);
            BufferedImage view = new Preprocessor(model.spec()).modelView(image);
            String caption = String.format(Locale.ROOT, "%s\u00b0 p=%.3f", model.spec().labels().get(e.targetClass()), e.targetScore());
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(out, sheet(view, e.map(), e.method(), caption).png());
            System.out.println("wrote " + out);
        }
    }
}
