package io.saliencystream.engine.model;

import java.awt.image.BufferedImage;

/**
 * One input prepared for a model: the full input tensor, where the picture lies in it, and the
 * picture itself (the decoded image, or for a raw tensor the picture its content region shows).
 * Methods explain {@link #content the content alone}, so their maps cover the picture and
 * nothing else; overlays map them back onto {@link #original}.
 *
 * @param spec     the model's spec
 * @param tensor   one full model input, padding included
 * @param region   where the picture lies in it
 * @param original the picture in its own size and colours
 */
public record ModelInput(ModelSpec spec, float[] tensor, ContentRegion region, BufferedImage original) {

    public ModelInput {
        if (tensor.length != spec.inputSize()) {
            throw new IllegalArgumentException("input has " + tensor.length + " values, model " + spec.key()
                    + " takes " + spec.inputSize());
        }
    }

    /** The model and input a method explains: the content region of both, with the padding held fixed. */
    public Content content(CatalogModel model) {
        CatalogModel view = model.content(region, tensor);
        return new Content(view, view == model ? tensor : region.crop(tensor, spec));
    }

    /** A model restricted to the picture, and the picture's part of the input. */
    public record Content(CatalogModel model, float[] tensor) {
    }

    /** The input as the model sees it, padding drawn in the colour that normalises to 0. */
    public BufferedImage modelView() {
        return new Preprocessor(spec).image(tensor);
    }

    /** Whether preprocessing padded the picture. */
    public boolean padded() {
        return !region.covers(spec);
    }
}
