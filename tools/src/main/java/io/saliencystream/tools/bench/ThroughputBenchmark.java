package io.saliencystream.tools.bench;

import io.saliencystream.tools.demo.DemoCatalog;
import io.saliencystream.app.ProcessorApp;
import io.saliencystream.app.ProcessorConfig;
import io.saliencystream.tools.demo.DemoRunner;
import io.saliencystream.tools.demo.EmbeddedStack;
import io.saliencystream.tools.demo.ProgressLine;
import io.saliencystream.tools.demo.SampleEvents;
import io.saliencystream.tools.demo.ScratchStateDir;

import io.saliencystream.engine.Explanation;
import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.model.CatalogModel;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelRunner;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.Preprocessor;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.InferenceEvent;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.ProcessingCounters;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftTopics;
import io.saliencystream.testing.samples.SampleImages;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints figures, asserts nothing: end-to-end events per second through the real broker at
 * two sampling rates, and one occlusion explanation against the same number of plain ONNX
 * Runtime calls, all in one run so the ratios hold on a noisy machine.
 */
public final class ThroughputBenchmark {

    /**
     * @param lowRate       sampling rate of the first end-to-end run
     * @param lowRateEvents events produced for it
     * @param fullEvents    events produced for the run at sampling rate 1
     * @param repeats       occlusion explanations timed (the median is reported)
     */
    public record Options(double lowRate, int lowRateEvents, int fullEvents, int repeats) {
    }

    private final PrintStream out;

    public ThroughputBenchmark(PrintStream out) {
        this.out = out;
    }

    public void run(Options options) throws Exception {
        out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version"));
        try (ModelCatalog catalog = DemoCatalog.load(new ModelStore(ModelStore.defaultDir(), out))) {
            CatalogModel model = catalog.models().iterator().next();
            occlusionVersusPlainCalls(model, options.repeats());
            double low = endToEnd(model, options.lowRate(), options.lowRateEvents());
            double full = endToEnd(model, 1.0, options.fullEvents());
            out.printf(Locale.ROOT, "end to end: %.1f events/s at sampling %.0f%%, %.2f events/s at 100%%: ratio %.1fx%n",
                    low, options.lowRate() * 100, full, low / full);
        }
    }

    private void occlusionVersusPlainCalls(CatalogModel model, int repeats) throws Exception {
        float[] input = new Preprocessor(model.spec()).tensor(SampleImages.sample(1, false).image());
        ExplanationEngine engine = new ExplanationEngine();
        engine.explain(model, input, 1); // warm-up: session, allocations, JIT
        long[] occlusion = new long[repeats];
        long[] plain = new long[repeats];
        long[] batched = new long[repeats];
        Explanation e = null;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            e = engine.explain(model, input, 1);
            occlusion[i] = System.nanoTime() - t0;
            float[] copies = new float[input.length * (int) e.modelEvaluations()];
            for (int k = 0; k < e.modelEvaluations(); k++) {
                System.arraycopy(input, 0, copies, k * input.length, input.length);
            }
            ModelRunner runner = new ModelRunner(model);
            t0 = System.nanoTime();
            for (int k = 0; k < e.modelEvaluations(); k++) {
                runner.scores(input, 1);
            }
            plain[i] = System.nanoTime() - t0;
            int batch = Integer.parseInt(e.parameters().get("batch_size"));
            t0 = System.nanoTime();
            for (int k = 0; k < e.modelEvaluations(); k += batch) {
                int n = (int) Math.min(batch, e.modelEvaluations() - k);
                float[] chunk = new float[n * input.length];
                System.arraycopy(copies, k * input.length, chunk, 0, chunk.length);
                runner.scores(chunk, n);
            }
            batched[i] = System.nanoTime() - t0;
        }
        double occ = median(occlusion);
        out.printf(Locale.ROOT, "occlusion %s on %s: %d evaluations in %d calls%n", e.parameters(), model.spec().key(),
                e.modelEvaluations(), e.modelCalls());
        out.printf(Locale.ROOT, "  one explanation            %8.1f ms (median of %d)%n", occ, repeats);
        out.printf(Locale.ROOT, "  same count, single calls   %8.1f ms  explanation/plain = %.2f%n",
                median(plain), occ / median(plain));
        out.printf(Locale.ROOT, "  same count, batched calls  %8.1f ms  explanation/batched = %.2f%n",
                median(batched), occ / median(batched));
    }

    /** Events per second from processor start until every event is accounted for. */
    private double endToEnd(CatalogModel model, double rate, int events) throws Exception {
        TopicNames topics = TopicNames.defaults();
        try (EmbeddedStack stack = EmbeddedStack.start(topics, DriftTopics.defaults())) {
            AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(stack.schemaRegistryUrl()));
            List<SampleEvents.Sample> samples = new SampleEvents(model, serdes.specific(InferenceEvent.class).serializer(),
                    topics.inferenceEvents()).build(11, events, Instant.now().minusSeconds(600));
            DemoRunner.produce(stack.bootstrapServers(), topics.inferenceEvents(), samples);
            // the sample events carry producer flags and ground truth; measure the rate alone
            long t0 = System.nanoTime();
            try (ScratchStateDir stateDir = ScratchStateDir.create("saliency-stream-bench");
                 ProcessorApp app = ProcessorApp.start(ProcessorConfig.from(stack.processorSettings(
                         "saliency-stream-bench", stateDir.path(), rate,
                         Map.of("flags.producer", "false", "flags.label-disagreement", "false"))), out)) {
                ProgressLine progress = new ProgressLine(out);
                ProcessingCounters.Snapshot c;
                do {
                    Thread.sleep(200);
                    c = app.counters();
                    progress.update(String.format(Locale.ROOT, "  sampling %.0f%%: %d/%d events, %d explained",
                            rate * 100, c.accountedFor(), samples.size(), c.explained()));
                } while (c.accountedFor() < samples.size());
                progress.done();
                double seconds = (System.nanoTime() - t0) / 1e9;
                out.printf(Locale.ROOT, "  sampling %.0f%%: %d events (%d explained) in %.1f s = %.2f events/s%n",
                        rate * 100, samples.size(), c.explained(), seconds, samples.size() / seconds);
                return samples.size() / seconds;
            }
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
