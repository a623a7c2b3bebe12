package io.saliencystream.stream.drift;

import io.saliencystream.drift.AttentionObservation;
import io.saliencystream.drift.AttentionWindowStats;
import io.saliencystream.drift.BucketedWindowStats;
import io.saliencystream.drift.AlertState;
import io.saliencystream.drift.EarthMoversDistance;
import io.saliencystream.drift.GridMath;
import io.saliencystream.drift.GridShape;
import io.saliencystream.drift.JensenShannon;
import io.saliencystream.drift.ReferenceLearner;
import io.saliencystream.testing.InMemorySchemaRegistry;
import io.saliencystream.quality.InterpretationBucket;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.schema.DriftSeriesState;
import io.saliencystream.serde.AvroSerdes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints what drift costs, never asserts times. Run alone:
 * {@code mvn -B -q -pl processor -am test -Dtest=DriftBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (its name does not end in Test, so ordinary runs skip it).
 */
@Tag("benchmark")
class DriftBenchmark {

    private static final GridShape G8 = new GridShape(8, 8);

    /** A smooth random 8x8 attention grid: a Gaussian blob at a random place plus noise. */
    private static double[] blob(Random rnd) {
        double cx = rnd.nextDouble();
        double cy = rnd.nextDouble();
        double[] g = new double[64];
        for (int i = 0; i < 64; i++) {
            double dx = G8.centerX(i) - cx;
            double dy = G8.centerY(i) - cy;
            g[i] = Math.exp(-(dx * dx + dy * dy) / 0.05) + 0.01 * rnd.nextDouble();
        }
        return GridMath.normalised("blob", g);
    }

    @Test
    void printCosts() {
        DriftFixtures.summary("warm", 0, Instant.EPOCH, new double[] {1, 0, 0, 0}); // installs Avro trust
        Random rnd = new Random(1);
        List<double[]> grids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            grids.add(blob(rnd));
        }

        // aggregate: validate + normalise + Welford update, per summary
        int n = 400_000;
        for (int round = 0; round < 2; round++) { // first round warms the JIT
            AttentionWindowStats stats = AttentionWindowStats.empty();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                stats.add(AttentionObservation.of(G8, grids.get(i % grids.size()), 0.5, 0.5, null));
            }
            long t1 = System.nanoTime();
            if (round == 1) {
                System.out.printf("aggregate (check + Welford add), 8x8: %.0f ns per summary%n", (t1 - t0) / (double) n);
            }
        }

        // distances: window mean grid vs reference, per window
        List<double[]> means = new ArrayList<>();
        for (int w = 0; w < 200; w++) {
            AttentionWindowStats s = AttentionWindowStats.empty();
            for (int i = 0; i < 50; i++) {
                s.add(AttentionObservation.of(G8, grids.get(rnd.nextInt(grids.size())), 0.5, 0.5, null));
            }
            means.add(s.meanGrid());
        }
        for (double[] single : new double[][] {grids.get(0)}) {
            means.add(single); // a peaked one too
        }
        int windows = 2000;
        for (int round = 0; round < 2; round++) {
            long js = 0;
            long emd = 0;
            double sink = 0;
            for (int i = 0; i < windows; i++) {
                double[] p = means.get(i % means.size());
                double[] q = i % 2 == 0 ? means.get((i * 7 + 3) % means.size()) : grids.get(i % grids.size());
                long a = System.nanoTime();
                sink += JensenShannon.divergence(p, q);
                long b = System.nanoTime();
                sink += EarthMoversDistance.between(p, q, G8);
                long c = System.nanoTime();
                js += b - a;
                emd += c - b;
            }
            if (round == 1) {
                System.out.printf("distances per closed window, 8x8: JS %.1f us, exact EMD %.1f us (checksum %.3f)%n",
                        js / 1e3 / windows, emd / 1e3 / windows, sink);
                System.out.printf("  amortised over a window of 100 summaries: %.0f ns per summary%n",
                        (js + emd) / (double) windows / 100);
            }
        }

        // state store sizes
        AvroSerdes serdes = new AvroSerdes(new InMemorySchemaRegistry());
        BucketedWindowStats full = BucketedWindowStats.empty();
        BucketedWindowStats bucketed = BucketedWindowStats.empty();
        InterpretationBucket[] buckets = InterpretationBucket.values();
        for (int i = 0; i < 100; i++) {
            full.add(AttentionObservation.of(G8, grids.get(i), 0.5, 0.5, null), null);
            bucketed.add(AttentionObservation.of(G8, grids.get(i), 0.5, 0.5, null), buckets[i % buckets.length]);
        }
        byte[] aggregate = WindowStatsSerde.of(serdes).serializer().serialize("drift-windows-changelog", full);
        byte[] aggregateBucketed = WindowStatsSerde.of(serdes).serializer().serialize("drift-windows-changelog", bucketed);
        ReferenceLearner learner = new ReferenceLearner(3);
        DriftSeriesState state = DriftRecords.state(learner, AlertState.closed(), 0);
        byte[] series = serdes.specific(DriftSeriesState.class).serializer().serialize("drift-series-state", state);
        System.out.printf("window store value (AttentionWindowAggregate, 8x8, wire format incl. 5-byte header): %d bytes"
                + " per key and window without ground truth, %d bytes with all four interpretation buckets (ratio %.1f)%n",
                aggregate.length, aggregateBucketed.length, aggregateBucketed.length / (double) aggregate.length);
        System.out.printf("series state value (DriftSeriesState before learning): %d bytes per key%n", series.length);

        // end to end through the topology (serdes, repartition, window store, suppress, evaluator) in a test driver
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(
                new DriftTopology(DriftConfig.defaults(), serdes).build(), props)) {
            TestInputTopic<String, SaliencySummary> in = driver.createInputTopic("saliency-summaries",
                    new StringSerializer(), serdes.specific(SaliencySummary.class).serializer());
            TestOutputTopic<String, AttentionDriftMetrics> out = driver.createOutputTopic("attention-drift",
                    new StringDeserializer(), serdes.specific(AttentionDriftMetrics.class).deserializer());
            Instant t = Instant.parse("2025-06-01T00:00:00Z");
            List<SaliencySummary> batch = new ArrayList<>();
            int total = 40_000;
            for (int i = 0; i < total; i++) {
                SaliencySummary s = DriftFixtures.summary("bench", i % 4, t.plusMillis(600L * i), new double[] {1, 0, 0, 0});
                List<Float> cells = new ArrayList<>();
                for (double v : grids.get(i % grids.size())) {
                    cells.add((float) v);
                }
                s.setGridRows(8);
                s.setGridCols(8);
                s.setGrid(cells);
                batch.add(s);
            }
            int warm = 10_000;
            for (int i = 0; i < warm; i++) {
                in.pipeInput(batch.get(i).getEventId(), batch.get(i));
            }
            long t0 = System.nanoTime();
            for (int i = warm; i < total; i++) {
                in.pipeInput(batch.get(i).getEventId(), batch.get(i));
            }
            long t1 = System.nanoTime();
            System.out.printf("end to end in TopologyTestDriver (4 series, 100 summaries per series and window): "
                    + "%.1f us per summary; %d metrics records%n", (t1 - t0) / 1e3 / (total - warm), out.readValuesToList().size());
        }
    }
}
