package io.saliencystream.engine.cam;

import java.util.List;

/**
 * The layer a CAM method reads: a spatial feature map of a CNN, or the token sequence of a vision
 * transformer laid out as a grid of patches.
 *
 * @param kind         spatial [C, H, W] maps or [T, D] tokens
 * @param tensor       the feature tensor (for tokens: the input of the last transformer block)
 * @param normed       for tokens, the last block's first LayerNorm output (what its attention
 *                     reads), else null
 * @param attentions   attention probabilities of every block, in order (transformers only)
 * @param shape        the feature tensor's shape without the batch axis
 * @param gridHeight   rows of the spatial grid (H, or patch rows)
 * @param gridWidth    columns of the spatial grid
 * @param auxTokens    tokens before the patch tokens (class token), 0 for spatial maps
 */
public record FeatureLayer(Kind kind, String tensor, String normed, List<String> attentions, long[] shape,
                           int gridHeight, int gridWidth, int auxTokens) {

    public enum Kind { SPATIAL, TOKENS }

    public FeatureLayer {
        attentions = List.copyOf(attentions);
        shape = shape.clone();
    }

    /** Channels of a spatial map, or the width of a token. */
    public int channels() {
        return (int) (kind == Kind.SPATIAL ? shape[0] : shape[1]);
    }

    public int cells() {
        return gridHeight * gridWidth;
    }

    /** What Grad-CAM differentiates: the normed tokens where there are, else the feature tensor. */
    public String gradientTensor() {
        return normed != null ? normed : tensor;
    }

    public String describe() {
        return (kind == Kind.SPATIAL ? "feature map" : "tokens") + " '" + tensor + "' " + gridHeight + "x" + gridWidth;
    }
}
