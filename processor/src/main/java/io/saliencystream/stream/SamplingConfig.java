package io.saliencystream.stream;

import java.util.Map;
import java.util.Objects;

/**
 * What to explain: a sampling rate and a compute budget per model name (with defaults for
 * models not listed), and the flag rules.
 */
public record SamplingConfig(
        double defaultRate,
        Map<String, Double> ratesByModel,
        FlagRules flagRules,
        BudgetConfig defaultBudget,
        Map<String, BudgetConfig> budgetsByModel) {

    public SamplingConfig {
        ratesByModel = ratesByModel == null ? Map.of() : Map.copyOf(ratesByModel);
        budgetsByModel = budgetsByModel == null ? Map.of() : Map.copyOf(budgetsByModel);
        Objects.requireNonNull(flagRules, "flagRules");
        Objects.requireNonNull(defaultBudget, "defaultBudget");
        requireRate("defaultRate", defaultRate);
        ratesByModel.forEach((model, rate) -> requireRate("rate of model " + model, rate));
    }

    /** One rate for every model, the default flag rules, no budget limit. */
    public static SamplingConfig of(double rate) {
        return new SamplingConfig(rate, Map.of(), FlagRules.defaults(), BudgetConfig.unlimited(), Map.of());
    }

    public SamplingConfig withFlagRules(FlagRules rules) {
        return new SamplingConfig(defaultRate, ratesByModel, rules, defaultBudget, budgetsByModel);
    }

    public SamplingConfig withRates(double rate, Map<String, Double> byModel) {
        return new SamplingConfig(rate, byModel, flagRules, defaultBudget, budgetsByModel);
    }

    public SamplingConfig withBudgets(BudgetConfig budget, Map<String, BudgetConfig> byModel) {
        return new SamplingConfig(defaultRate, ratesByModel, flagRules, budget, byModel);
    }

    public double rateFor(String modelName) {
        return ratesByModel.getOrDefault(modelName, defaultRate);
    }

    public BudgetConfig budgetFor(String modelName) {
        return budgetsByModel.getOrDefault(modelName, defaultBudget);
    }

    private static void requireRate(String name, Double rate) {
        if (rate == null || !(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be within [0, 1], got " + rate);
        }
    }
}
