package io.saliencystream.drift;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which regions of interest apply to a model's class: regions configured for that class, else
 * those configured for the whole model, else none. Immutable.
 */
public final class RegionsOfInterest {

    private static final RegionsOfInterest NONE = new RegionsOfInterest(Map.of(), Map.of());

    private final Map<String, List<RegionOfInterest>> byModel;
    private final Map<ModelClass, List<RegionOfInterest>> byClass;

    private record ModelClass(String model, int predictedClass) {
    }

    private RegionsOfInterest(Map<String, List<RegionOfInterest>> byModel, Map<ModelClass, List<RegionOfInterest>> byClass) {
        this.byModel = Map.copyOf(byModel);
        this.byClass = Map.copyOf(byClass);
    }

    public static RegionsOfInterest none() {
        return NONE;
    }

    /** These regions plus {@code regions} for every class of {@code model}. */
    public RegionsOfInterest withModel(String model, List<RegionOfInterest> regions) {
        Map<String, List<RegionOfInterest>> m = new HashMap<>(byModel);
        m.put(Objects.requireNonNull(model, "model"), checked(regions));
        return new RegionsOfInterest(m, byClass);
    }

    /** These regions plus {@code regions} for class {@code predictedClass} of {@code model}. */
    public RegionsOfInterest withClass(String model, int predictedClass, List<RegionOfInterest> regions) {
        Map<ModelClass, List<RegionOfInterest>> m = new HashMap<>(byClass);
        m.put(new ModelClass(Objects.requireNonNull(model, "model"), predictedClass), checked(regions));
        return new RegionsOfInterest(byModel, m);
    }

    /** The models with regions, for the model or for one of its classes. */
    public Set<String> models() {
        Set<String> models = new TreeSet<>(byModel.keySet());
        byClass.keySet().forEach(c -> models.add(c.model()));
        return models;
    }

    /** The classes of {@code model} with regions of their own. */
    public Set<Integer> classes(String model) {
        Set<Integer> classes = new TreeSet<>();
        byClass.keySet().stream().filter(c -> c.model().equals(model)).forEach(c -> classes.add(c.predictedClass()));
        return classes;
    }

    public List<RegionOfInterest> lookup(String model, int predictedClass) {
        List<RegionOfInterest> forClass = byClass.get(new ModelClass(model, predictedClass));
        return forClass != null ? forClass : byModel.getOrDefault(model, List.of());
    }

    private static List<RegionOfInterest> checked(List<RegionOfInterest> regions) {
        List<RegionOfInterest> copy = List.copyOf(regions);
        if (copy.stream().map(RegionOfInterest::name).distinct().count() != copy.size()) {
            throw new IllegalArgumentException("Region names must be unique within a model or class: " + copy);
        }
        return copy;
    }
}
