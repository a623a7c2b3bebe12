package io.saliencystream.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.testing.samples.GroundTruthSamples;
import io.saliencystream.tools.demo.DemoCatalog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The model-randomisation sanity check (Adebayo et al., 2018) on shapes:v1: the weights of its
 * layers are replaced by Gaussian noise of each tensor's own spread, cascading from the classifier
 * down to the first convolution, and each method's map on the randomised model is compared with
 * its map on the trained one by Spearman rank correlation (mean over the images). A map that
 * explains the model should decorrelate as the weights it reads are destroyed. Prints a table; no
 * assertions. Run with
 * {@code mvn -pl tools -am test -Dtest=ModelRandomisationBenchmark -Dsurefire.excluded=integration -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class ModelRandomisationBenchmark {

    private static final int IMAGES = 40;

    private static final Map<String, ModelSpec.MethodSpec> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("activation_map", new ModelSpec.MethodSpec("activation_map", Map.of()));
        METHODS.put("gradcam", new ModelSpec.MethodSpec("gradcam", Map.of()));
        METHODS.put("gradcam_plus_plus", new ModelSpec.MethodSpec("gradcam_plus_plus", Map.of()));
        METHODS.put("reciprocam", new ModelSpec.MethodSpec("reciprocam", Map.of()));
        METHODS.put("vanilla_gradient", new ModelSpec.MethodSpec("vanilla_gradient", Map.of()));
        METHODS.put("occlusion 8/4", new ModelSpec.MethodSpec("occlusion",
                Map.of("window", "8", "stride", "4", "baseline", "0", "batchSize", "128")));
    }

    @TempDir
    Path dir;

    @Test
    void printsRankCorrelationWithTheTrainedModelsMaps() throws Exception {
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore());
             InputStream in = ModelRandomisationBenchmark.class.getResourceAsStream("/models/groundtruth/shapes-v1.onnx")) {
            CatalogModel trained = catalog.require("shapes", "v1");
            ModelProto model = ModelProto.parseFrom(in);
            List<List<String>> layers = layersFromTheTop(model);
            Preprocessor preprocessor = new Preprocessor(trained.spec());
            List<GroundTruthSamples.Sample> samples = GroundTruthSamples.clean().subList(0, IMAGES);
            ExplanationEngine engine = new ExplanationEngine();
            StringBuilder header = new StringBuilder("| method |");
            StringBuilder rule = new StringBuilder("|---|");
            List<CatalogModel> randomised = new ArrayList<>();
            Set<String> cascade = new LinkedHashSet<>();
            for (int k = 0; k < layers.size(); k++) {
                cascade.addAll(layers.get(k));
                Path file = dir.resolve("cascade-" + k + ".onnx");
                Files.write(file, randomise(model, cascade, 11 + k).toByteArray());
                randomised.add(CatalogModel.of(trained.spec(), file));
                header.append(" top ").append(k + 1).append(k == 0 ? " layer |" : " layers |");
                rule.append("---|");
            }
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "shapes:v1, %d clean images, mean Spearman correlation with the trained model's map, layers randomised from the top (%s)%n%s%n%s%n",
                    IMAGES, layers, header, rule));
            for (Map.Entry<String, ModelSpec.MethodSpec> m : METHODS.entrySet()) {
                Explainer explainer = engine.explainer(m.getValue());
                table.append("| ").append(m.getKey()).append(" |");
                for (CatalogModel r : randomised) {
                    double sum = 0;
                    for (int i = 0; i < samples.size(); i++) {
                        float[] x = preprocessor.tensor(samples.get(i).image());
                        int label = samples.get(i).labelIndex();
                        sum += spearman(explainer.explain(trained, x, label, i).map().values(),
                                explainer.explain(r, x, label, i).map().values());
                    }
                    table.append(String.format(Locale.ROOT, " %.3f |", sum / samples.size()));
                }
                table.append('\n');
            }
            System.out.print(table);
            for (CatalogModel r : randomised) {
                r.close();
            }
        }
    }

    /** Float initializers grouped by the node that reads them, last node first. */
    private static List<List<String>> layersFromTheTop(ModelProto model) {
        Set<String> weights = new LinkedHashSet<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber() && t.getDimsCount() >= 1) {
                weights.add(t.getName());
            }
        }
        List<List<String>> layers = new ArrayList<>();
        List<NodeProto> nodes = new ArrayList<>(model.getGraph().getNodeList());
        java.util.Collections.reverse(nodes);
        for (NodeProto n : nodes) {
            List<String> read = n.getInputList().stream().filter(weights::contains).toList();
            if (!read.isEmpty()) {
                layers.add(read);
            }
        }
        return layers;
    }

    private static ModelProto randomise(ModelProto model, Set<String> names, long seed) {
        Random random = new Random(seed);
        ModelProto.Builder b = model.toBuilder();
        var g = b.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (!names.contains(t.getName())) {
                continue;
            }
            float[] v = floats(t);
            double mean = 0;
            for (float f : v) {
                mean += f / v.length;
            }
            double var = 0;
            for (float f : v) {
                var += (f - mean) * (f - mean) / v.length;
            }
            double sd = Math.sqrt(var) > 0 ? Math.sqrt(var) : 0.1;
            ByteBuffer out = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < v.length; j++) {
                out.putFloat((float) (random.nextGaussian() * sd));
            }
            g.setInitializer(i, t.toBuilder().clearFloatData().setRawData(com.google.protobuf.ByteString.copyFrom(out.array())));
        }
        return b.build();
    }

    private static float[] floats(TensorProto t) {
        if (t.getFloatDataCount() > 0) {
            float[] v = new float[t.getFloatDataCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getFloatData(i);
            }
            return v;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(v);
        return v;
    }

    /** Spearman's rank correlation, ties given their mean rank. */
    static double spearman(float[] a, float[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0);
        double mb = Arrays.stream(rb).average().orElse(0);
        double num = 0;
        double da = 0;
        double db = 0;
        for (int i = 0; i < ra.length; i++) {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return da == 0 || db == 0 ? 0 : num / Math.sqrt(da * db);
    }

    private static double[] ranks(float[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }
}
