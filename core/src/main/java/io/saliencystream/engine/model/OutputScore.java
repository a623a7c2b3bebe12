package io.saliencystream.engine.model;

import java.util.Arrays;

/**
 * How to score a model whose output is not a row of class values (a catalog entry's
 * {@code score}): the output to read and how it becomes the row of class values every method
 * explains. Three forms:
 * <ul>
 *   <li><b>map</b> ({@code channel} given): an output [N, C, H, W] such as a text detector's
 *       probability map. The score is the mean of one channel over {@code box} (the whole map
 *       without one): the sum over the box divided by its area, so every attribution of the sum is
 *       this one's times that constant. The row is {@code [m, 1 - m]} for a map of probabilities
 *       (its two labels say "region" and "not region"; log-odds is {@code log m/(1-m)}), and
 *       {@code [m, 0]} for a map of logits (softmax gives sigmoid(m), log-odds m).</li>
 *   <li><b>sequence</b> ({@code position} given): an output [N, T, K] such as a recognizer's
 *       per-position character probabilities; the row is the K values at one position, and a
 *       target class is a character at that position.</li>
 *   <li><b>named output</b> (neither): the output named {@code output}, already [N, classes].</li>
 * </ul>
 *
 * @param output   name of the model output to read; null for the first output
 * @param channel  map channel to score, or null
 * @param box      {x, y, width, height} in model-input pixels, scaled to the map's grid; null for the whole map
 * @param position sequence position to score (0-based; negative counts from the end), or null
 */
public record OutputScore(String output, Integer channel, int[] box, Integer position) {

    public enum Kind { MAP, SEQUENCE, NAMED }

    public OutputScore {
        if (channel != null && position != null) {
            throw new IllegalArgumentException("score: give a map channel or a sequence position, not both");
        }
        if (channel != null && channel < 0) {
            throw new IllegalArgumentException("score.channel must be 0 or more, got " + channel);
        }
        if (box != null) {
            if (channel == null) {
                throw new IllegalArgumentException("score.box needs a map channel (score.channel)");
            }
            if (box.length != 4 || box[0] < 0 || box[1] < 0 || box[2] <= 0 || box[3] <= 0) {
                throw new IllegalArgumentException("score.box must be [x, y, width, height] with a non-negative origin"
                        + " and a positive size, got " + Arrays.toString(box));
            }
            box = box.clone();
        }
        if (channel == null && position == null && (output == null || output.isBlank())) {
            throw new IllegalArgumentException("score needs a map channel, a sequence position or an output name");
        }
    }

    /** A channel of a map output, over a box of model-input pixels (null: the whole map). */
    public static OutputScore map(String output, int channel, int[] box) {
        return new OutputScore(output, channel, box, null);
    }

    /** One position of a sequence output. */
    public static OutputScore sequence(String output, int position) {
        return new OutputScore(output, null, null, position);
    }

    public Kind kind() {
        return channel != null ? Kind.MAP : position != null ? Kind.SEQUENCE : Kind.NAMED;
    }

    @Override
    public int[] box() {
        return box == null ? null : box.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputScore s && java.util.Objects.equals(output, s.output)
                && java.util.Objects.equals(channel, s.channel) && Arrays.equals(box, s.box)
                && java.util.Objects.equals(position, s.position);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(output, channel, Arrays.hashCode(box), position);
    }

    /** A short, stable description, e.g. "map sigmoid_0.tmp_0 channel 0 box [8, 4, 80, 40]". */
    @Override
    public String toString() {
        String name = output == null ? "first output" : output;
        return switch (kind()) {
            case MAP -> "map " + name + " channel " + channel + (box == null ? " whole" : " box " + Arrays.toString(box));
            case SEQUENCE -> "sequence " + name + " position " + position;
            case NAMED -> "output " + name;
        };
    }
}
