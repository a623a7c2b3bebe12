package io.saliencystream.engine.method;

import ai.onnxruntime.OrtException;
import io.saliencystream.engine.Explainer;
import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelInput;
import io.saliencystream.engine.model.ModelRandomisation;
import io.saliencystream.engine.model.ModelSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Adebayo et al.'s model-randomisation sanity check (2018) with the {@link SignalCheck}: every
 * method explains the same inputs on the model and on a re-initialised copy
 * ({@link ModelRandomisation}); the copy's maps must all come out "no signal", and the trained
 * model's must not (at most {@link #MAX_TRAINED_NO_SIGNAL} of them per method).
 */
public final class RandomisationCheck {

    /** Largest share of a trained model's maps that may be "no signal" for a method to pass. */
    public static final double MAX_TRAINED_NO_SIGNAL = 0.5;

    /**
     * @param method             method name and parameters
     * @param images             inputs explained
     * @param trainedNoSignal    maps of the model judged "no signal"
     * @param randomisedNoSignal maps of the randomised copy judged "no signal"
     * @param trainedFigure      mean signal figure on the model
     * @param randomisedFigure   mean signal figure on the copy
     */
    public record MethodResult(ModelSpec.MethodSpec method, int images, int trainedNoSignal, int randomisedNoSignal,
                               double trainedFigure, double randomisedFigure) {

        public double trainedRate() {
            return (double) trainedNoSignal / images;
        }

        public double randomisedRate() {
            return (double) randomisedNoSignal / images;
        }

        /** Every map of the copy without signal, and most of the model's with. */
        public boolean passed() {
            return randomisedNoSignal == images && trainedRate() <= MAX_TRAINED_NO_SIGNAL;
        }
    }

    private RandomisationCheck() {
    }

    /**
     * Runs the check. The randomised copy is written to a temporary file and deleted afterwards; {@code seed} draws its weights and seeds the methods.
     */
    public static List<MethodResult> run(ExplanationEngine engine, CatalogModel model, List<ModelInput> inputs,
                                         List<ModelSpec.MethodSpec> methods, long seed)
            throws IOException, OrtException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("the model-randomisation check needs at least one input");
        }
        Path file = Files.createTempFile("randomised-" + model.spec().name() + "-", ".onnx");
        try (CatalogModel randomised = CatalogModel.of(model.spec(), ModelRandomisation.randomise(model.file(), file, seed))) {
            List<MethodResult> results = new ArrayList<>();
            for (ModelSpec.MethodSpec method : methods) {
                Explainer explainer = engine.explainer(method);
                int[] noSignal = new int[2];
                double[] figure = new double[2];
                for (int r = 0; r < 2; r++) {
                    CatalogModel m = r == 0 ? model : randomised;
                    for (int i = 0; i < inputs.size(); i++) {
                        ModelInput.Content content = inputs.get(i).content(m);
                        Explanation e = explainer.explain(content.model(), content.tensor(), Explainer.PREDICTED_CLASS, seed + i);
                        SignalCheck.Result s = SignalCheck.evaluate(content.model(), content.tensor(), e.map(), e.targetClass(), seed + i);
                        noSignal[r] += s.verdict() == SignalCheck.Verdict.NO_SIGNAL ? 1 : 0;
                        figure[r] += s.figure();
                    }
                }
                results.add(new MethodResult(method, inputs.size(), noSignal[0], noSignal[1],
                        figure[0] / inputs.size(), figure[1] / inputs.size()));
            }
            return results;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
