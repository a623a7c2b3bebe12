package io.saliencystream.engine;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.Preprocessor;

/** An attribution method. */
public interface Explainer {

    /** Pass as {@code targetClass} to explain the class the model predicts for the input. */
    int PREDICTED_CLASS = -1;

    String name();

    /**
     * Explains the model's score for {@code targetClass} (or {@link #PREDICTED_CLASS}) on
     * {@code input}, one input tensor as {@link Preprocessor} produces it.
     */
    Explanation explain(CatalogModel model, float[] input, int targetClass, long seed) throws OrtException;
}
