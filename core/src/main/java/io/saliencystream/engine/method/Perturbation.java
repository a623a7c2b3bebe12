package io.saliencystream.engine.method;

import io.saliencystream.engine.gradient.TargetScore;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.Preprocessor;

import java.util.Arrays;

/**
 * What the perturbation methods (RISE, KernelSHAP, faithfulness curves) share: the baseline
 * each channel takes where the input is removed (a number written into the normalised input,
 * 0 being the mid value of (x - mean) / std normalisation, or "median", each channel's median
 * over the input), and the score compared.
 */
final class Perturbation {

    static final String MEDIAN = "median";

    private Perturbation() {
    }

    /** Checks a baseline parameter; returns it trimmed. */
    static String check(String method, String baseline) {
        String b = baseline == null ? "0" : baseline.trim();
        if (!b.equals(MEDIAN)) {
            try {
                if (Float.isFinite(Float.parseFloat(b))) {
                    return b;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the method's name
            }
            throw new IllegalArgumentException(method + " baseline must be a finite number or \"median\", got " + baseline);
        }
        return b;
    }

    static float[] perChannel(String baseline, float[] input, ModelSpec spec) {
        float[] fill = new float[spec.channels()];
        if (!baseline.equals(MEDIAN)) {
            Arrays.fill(fill, Float.parseFloat(baseline));
            return fill;
        }
        Preprocessor layout = new Preprocessor(spec);
        float[] channel = new float[spec.width() * spec.height()];
        for (int c = 0; c < fill.length; c++) {
            for (int y = 0; y < spec.height(); y++) {
                for (int x = 0; x < spec.width(); x++) {
                    channel[y * spec.width() + x] = input[layout.index(c, y, x)];
                }
            }
            Arrays.sort(channel);
            fill[c] = channel[channel.length / 2];
        }
        return fill;
    }

    /** The target's score from one raw output row, as {@code score} says. */
    static double score(ModelRunner runner, float[] raw, int target, TargetScore score) {
        return switch (score) {
            case LOGODDS -> runner.logOdds(raw, target);
            case PROBABILITY -> runner.probabilities(raw)[target];
            case RAW -> raw[target];
        };
    }
}
