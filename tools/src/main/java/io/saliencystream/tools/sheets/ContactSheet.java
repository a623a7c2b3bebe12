package io.saliencystream.tools.sheets;

import io.saliencystream.render.Fonts;
import io.saliencystream.render.OverlayRenderer;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A grid of labelled images on one page: a title, optional column headers, and rows that each
 * have a label on the left and tiles with a caption under each. Columns are as wide as their
 * widest tile, rows as tall as their tallest; rows may have different numbers of tiles. Text is
 * left out where the platform has no fonts; the layout stays the same.
 *
 * <pre>{@code
 * byte[] png = new ContactSheet("Overlay options")
 *         .row("polarity", List.of(new Tile(a, "positive"), new Tile(b, "both")))
 *         .png();
 * }</pre>
 */
public final class ContactSheet {

    /** One image and the caption under it (null for none). */
    public record Tile(BufferedImage image, String caption) {
        public Tile {
            Objects.requireNonNull(image, "image");
        }
    }

    private record Row(String label, List<Tile> tiles) {
    }

    private static final int MARGIN = 16;
    private static final int GAP = 12;
    private static final int TITLE_HEIGHT = 36;
    private static final int HEADER_HEIGHT = 24;
    private static final int CAPTION_HEIGHT = 22;
    private static final int LABEL_MAX_WIDTH = 220;
    private static final Color PAPER = Color.WHITE;
    private static final Color INK = new Color(30, 30, 30);
    private static final Color SOFT_INK = new Color(90, 90, 90);

    private final String title;
    private final List<String> headers = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();

    public ContactSheet(String title) {
        this.title = title;
    }

    /** Headers over the columns, left to right. */
    public ContactSheet columnHeaders(List<String> names) {
        headers.clear();
        headers.addAll(names);
        return this;
    }

    /** Adds a row; {@code label} (null for none) is drawn left of it, wrapped on words. */
    public ContactSheet row(String label, List<Tile> tiles) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("row '" + label + "' has no tiles");
        }
        rows.add(new Row(label, List.copyOf(tiles)));
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public BufferedImage render() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("contact sheet '" + title + "' has no rows");
        }
        Font titleFont = Fonts.usable(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        Font labelFont = Fonts.usable(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        Font captionFont = Fonts.usable(new Font(Font.SANS_SERIF, Font.PLAIN, 13));

        int columns = rows.stream().mapToInt(r -> r.tiles().size()).max().orElse(0);
        int[] colWidth = new int[columns];
        for (Row r : rows) {
            for (int c = 0; c < r.tiles().size(); c++) {
                colWidth[c] = Math.max(colWidth[c], r.tiles().get(c).image().getWidth());
            }
        }
        boolean labels = rows.stream().anyMatch(r -> r.label() != null);
        int labelWidth = labels ? LABEL_MAX_WIDTH : 0;
        int width = MARGIN * 2 + (labels ? labelWidth + GAP : 0);
        for (int cw : colWidth) {
            width += cw + GAP;
        }
        width -= GAP;
        int height = MARGIN + (title == null ? 0 : TITLE_HEIGHT) + (headers.isEmpty() ? 0 : HEADER_HEIGHT);
        int[] rowHeight = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            rowHeight[i] = rows.get(i).tiles().stream().mapToInt(t -> t.image().getHeight()).max().orElse(0) + CAPTION_HEIGHT;
            height += rowHeight[i] + GAP;
        }
        height += MARGIN - GAP;

        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(PAPER);
            g.fillRect(0, 0, width, height);
            int y = MARGIN;
            int tilesLeft = MARGIN + (labels ? labelWidth + GAP : 0);
            if (title != null) {
                text(g, titleFont, INK, title, MARGIN, y + 24);
                y += TITLE_HEIGHT;
            }
            if (!headers.isEmpty()) {
                int x = tilesLeft;
                for (int c = 0; c < Math.min(columns, headers.size()); c++) {
                    text(g, labelFont, INK, headers.get(c), x, y + 16);
                    x += colWidth[c] + GAP;
                }
                y += HEADER_HEIGHT;
            }
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                if (row.label() != null && labelFont != null) {
                    g.setFont(labelFont);
                    int ly = y + 16;
                    for (String line : wrap(row.label(), g.getFontMetrics(), labelWidth)) {
                        text(g, labelFont, INK, line, MARGIN, ly);
                        ly += g.getFontMetrics().getHeight();
                    }
                }
                int x = tilesLeft;
                for (int c = 0; c < row.tiles().size(); c++) {
                    Tile t = row.tiles().get(c);
                    g.drawImage(t.image(), x, y, null);
                    if (t.caption() != null && captionFont != null) {
                        g.setFont(captionFont);
                        String cap = Fonts.fit(t.caption(), g.getFontMetrics(), colWidth[c]);
                        text(g, captionFont, SOFT_INK, cap, x, y + t.image().getHeight() + 16);
                    }
                    x += colWidth[c] + GAP;
                }
                y += rowHeight[i] + GAP;
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    public byte[] png() {
        return OverlayRenderer.png(render());
    }

    private static void text(Graphics2D g, Font font, Color colour, String text, int x, int baseline) {
        if (font == null) {
            return;
        }
        g.setFont(font);
        g.setColor(colour);
        g.drawString(text, x, baseline);
    }

    /** Greedy word wrap; a word longer than the width gets a line of its own. */
    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width || line.isEmpty()) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
