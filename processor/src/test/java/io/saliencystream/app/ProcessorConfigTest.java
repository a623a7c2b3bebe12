package io.saliencystream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.engine.model.SessionSettings;
import io.saliencystream.stream.BudgetConfig;
import io.saliencystream.stream.RequestTopics;
import io.saliencystream.stream.Selection;
import io.saliencystream.stream.TargetRules;
import io.saliencystream.stream.Targets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorConfigTest {

    private static Settings settings(Map<String, String> file, Map<String, String> env) {
        Properties p = new Properties();
        p.putAll(file);
        return new Settings(p, env);
    }

    private static final Map<String, String> MINIMAL = Map.of(
            "bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081");

    @Test
    void defaultsAreExactlyOnceOnePercentSamplingAndNoBudgetLimit() {
        ProcessorConfig c = ProcessorConfig.from(settings(MINIMAL, Map.of()));
        assertThat(c.streams().toProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(c.sampling().defaultRate()).isEqualTo(0.01);
        assertThat(c.sampling().defaultBudget().isUnlimited()).isTrue();
        assertThat(c.topics().inferenceEvents()).isEqualTo("inference-events");
        assertThat(c.gridRows()).isEqualTo(8);
        assertThat(c.inputFileRoot()).isEmpty();
        assertThat(c.faithfulnessReasons()).isEmpty();
        assertThat(c.buckets().threshold("any")).isEqualTo(0.6);
    }

    @Test
    void environmentOverridesTheFileKeyByKey() {
        ProcessorConfig c = ProcessorConfig.from(settings(
                Map.of("bootstrap.servers", "file:9092", "schema.registry.url", "http://file", "sampling.rate", "0.5"),
                Map.of("SALIENCY_STREAM_BOOTSTRAP_SERVERS", "env:9092", "SALIENCY_STREAM_SAMPLING_RATE", "0.25",
                        "SALIENCY_STREAM_TOPICS_DEAD_LETTERS", "my-dlq")));
        assertThat(c.streams().bootstrapServers()).isEqualTo("env:9092");
        assertThat(c.registry().urls()).containsExactly("http://file");
        assertThat(c.sampling().defaultRate()).isEqualTo(0.25);
        assertThat(c.topics().deadLetters()).isEqualTo("my-dlq");
    }

    @Test
    void perModelRatesBudgetsAndFlagRules() {
        Map<String, String> file = new java.util.HashMap<>(MINIMAL);
        file.put("sampling.rate.text-orientation", "0.3");
        file.put("budget.explanations-per-second", "10");
        file.put("budget.model.resnet.v2.explanations-per-second", "2");
        file.put("budget.model.resnet.v2.burst", "3");
        file.put("flags.low-confidence-below", "0.6");
        file.put("flags.watched-labels", "cat, dog");
        file.put("flags.watched-classes", "3,5");
        file.put("inputs.file-root", "/data/images");
        file.put("explain.method-for.low-confidence", "integrated_gradients");
        file.put("explain.method-for.low-confidence.params", "steps=64; baseline=black,white");
        file.put("explain.method-for.low-confidence.overlay", "type=pixels;color_map=viridis");
        file.put("summary.faithfulness-for", "low-confidence, label-disagreement");
        file.put("buckets.confidence-threshold", "0.5");
        file.put("buckets.confidence-threshold.text-orientation", "0.9");
        ProcessorConfig c = ProcessorConfig.from(settings(file, Map.of()));
        assertThat(c.buckets().threshold("text-orientation")).isEqualTo(0.9);
        assertThat(c.buckets().threshold("other")).isEqualTo(0.5);
        assertThat(c.faithfulnessReasons()).containsExactly("low-confidence", "label-disagreement");
        assertThat(c.sampling().rateFor("text-orientation")).isEqualTo(0.3);
        assertThat(c.sampling().rateFor("other")).isEqualTo(0.01);
        assertThat(c.sampling().budgetFor("other")).isEqualTo(new BudgetConfig(10, 20, 0.5));
        assertThat(c.sampling().budgetFor("resnet.v2")).isEqualTo(new BudgetConfig(2, 3, 0.5));
        assertThat(c.sampling().flagRules().lowConfidenceBelow()).isEqualTo(0.6);
        assertThat(c.sampling().flagRules().watchedLabels()).containsExactlyInAnyOrder("cat", "dog");
        assertThat(c.sampling().flagRules().watchedClasses()).containsExactlyInAnyOrder(3, 5);
        assertThat(c.inputFileRoot()).contains(Path.of("/data/images"));
        assertThat(c.methodsByReason()).containsOnlyKeys("low-confidence");
        assertThat(c.methodsByReason().get("low-confidence").name()).isEqualTo("integrated_gradients");
        assertThat(c.methodsByReason().get("low-confidence").parameters())
                .containsEntry("steps", "64").containsEntry("baseline", "black,white");
        assertThat(c.methodsByReason().get("low-confidence").overlay())
                .containsEntry("type", "pixels").containsEntry("color_map", "viridis");
    }

    @Test
    void pollSizingFollowsTheWorstCaseExplanation() {
        Map<String, String> file = new java.util.HashMap<>(MINIMAL);
        file.put("explain.worst-case-ms", "20000");
        Properties props = ProcessorConfig.from(settings(file, Map.of())).streams().toProperties();
        // 300 s poll interval, half of it for explanations of 20 s each, two of them for a label
        // disagreement's predicted class and label: 3 records per poll
        assertThat(props.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)).isEqualTo("3");
    }

    /**
     * {@code explain.worst-case-ms} is one explanation; a request is explained once per target of
     * its event before the thread polls again, so each lane's poll is sized for the most targets
     * its events may get, and a worst case that fits once but not for every target is refused.
     */
    @Test
    void eachLanesPollIsSizedForTheMostTargetsItsEventsMayGet() {
        RequestTopics.Lane flagged = RequestTopics.Lane.FLAGGED;
        RequestTopics.Lane sampled = RequestTopics.Lane.SAMPLED;
        ProcessorConfig defaults = ProcessorConfig.from(settings(MINIMAL, Map.of()));
        // a label disagreement (flagged) gets its predicted class and its label; a sampled event one class
        assertThat(defaults.worstCaseRequest(flagged)).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(defaults.worstCaseRequest(sampled)).isEqualTo(java.time.Duration.ofSeconds(5));
        // 150 s of the 300 s poll interval: 150 / 10 flagged; 150 / (5 + the 2 s yield) sampled
        assertThat(pollRecords(defaults, flagged)).isEqualTo("15");
        assertThat(pollRecords(defaults, sampled)).isEqualTo("21");

        Map<String, String> file = new java.util.HashMap<>(MINIMAL);
        file.put("explain.targets", "top-k:3");
        ProcessorConfig three = ProcessorConfig.from(settings(file, Map.of()));
        assertThat(three.worstCaseRequest(sampled)).isEqualTo(java.time.Duration.ofSeconds(15));
        assertThat(pollRecords(three, flagged)).isEqualTo("10");
        assertThat(pollRecords(three, sampled)).isEqualTo("8");

        file.put("explain.targets-for.sampled", "predicted");
        file.put("explain.targets.resnet", "top-k:2+label");
        ProcessorConfig mixed = ProcessorConfig.from(settings(file, Map.of()));
        assertThat(mixed.worstCaseRequest(sampled)).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(mixed.worstCaseRequest(flagged)).isEqualTo(java.time.Duration.ofSeconds(15));

        file.put("explain.worst-case-ms", "60000");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(file, Map.of())))
                .hasMessageContaining("worst-case explanation 180000 ms (explain.worst-case-ms x the most targets"
                        + " an event gets)")
                .hasMessageContaining("raise max.poll.interval.ms to at least 360000 ms");
        file.put("kafka.max.poll.interval.ms", "360000");
        assertThat(pollRecords(ProcessorConfig.from(settings(file, Map.of())), flagged)).isEqualTo("1");
    }

    private static String pollRecords(ProcessorConfig config, RequestTopics.Lane lane) {
        return (String) ProcessorApp.explanationProperties(config, "app", lane).get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
    }

    @Test
    void explanationThreadsTimesIntraOpThreadsFitTheCoresByDefault() {
        Map<String, Object> defaults = settings(MINIMAL, Map.of()).fixed();
        ProcessorConfig.Compute two = ProcessorConfig.Compute.from(defaults, 1, 2);
        assertThat(two.threads(RequestTopics.Lane.FLAGGED)).isEqualTo(1);
        assertThat(two.threads(RequestTopics.Lane.SAMPLED)).isEqualTo(1);
        assertThat(two.session()).isEqualTo(new SessionSettings(1, SessionSettings.Optimization.ALL,
                SessionSettings.Provider.CPU));
        assertThat(ProcessorConfig.Compute.from(defaults, 1, 16).session().intraOpThreads()).isEqualTo(8);
        assertThat(ProcessorConfig.Compute.from(defaults, 1, 1).session().intraOpThreads()).isEqualTo(1);
        assertThat(ProcessorConfig.Compute.from(defaults, 3, 16).session().intraOpThreads()).isEqualTo(2);

        ProcessorConfig c = ProcessorConfig.from(settings(MINIMAL, Map.of()));
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(c.compute().session().intraOpThreads()).isEqualTo(Math.max(1, cores / 2));
    }

    @Test
    void laneThreadsComeFromTheirOwnSettingsOverKafkaStreamThreads() {
        Map<String, String> file = new java.util.HashMap<>(MINIMAL);
        file.put("kafka.num.stream.threads", "2");
        file.put("explain.stream-threads.sampled", "6");
        ProcessorConfig.Compute compute = ProcessorConfig.Compute.from(settings(file, Map.of()).fixed(),
                ProcessorConfig.from(settings(file, Map.of())).streams().numStreamThreads(), 16);
        assertThat(compute.threads(RequestTopics.Lane.FLAGGED)).isEqualTo(2);
        assertThat(compute.threads(RequestTopics.Lane.SAMPLED)).isEqualTo(6);
        assertThat(compute.session().intraOpThreads()).isEqualTo(2);

        file.put("onnx.intra-op-threads", "4");
        file.put("onnx.optimization", "extended");
        file.put("onnx.execution-provider", "cuda");
        ProcessorConfig c = ProcessorConfig.from(settings(file, Map.of()));
        assertThat(c.compute().session()).isEqualTo(new SessionSettings(4, SessionSettings.Optimization.EXTENDED,
                SessionSettings.Provider.CUDA));
        assertThat(c.compute().threads(RequestTopics.Lane.SAMPLED)).isEqualTo(6);
    }

    @Test
    void badThreadAndOnnxSettingsAreRefusedNamingTheKey() {
        for (Map.Entry<String, String> bad : Map.of("onnx.intra-op-threads", "0", "onnx.optimization", "max",
                "onnx.execution-provider", "tensorrt", "explain.stream-threads.flagged", "0",
                "explain.stream-threads.sampled", "many").entrySet()) {
            Map<String, String> file = new java.util.HashMap<>(MINIMAL);
            file.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> ProcessorConfig.from(settings(file, Map.of())))
                    .hasMessageContaining(bad.getKey()).hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void missingOrMalformedSettingsSayWhichKeyAndHowToSetIt() {
        assertThatThrownBy(() -> ProcessorConfig.from(settings(Map.of("schema.registry.url", "x"), Map.of())))
                .hasMessageContaining("bootstrap.servers")
                .hasMessageContaining("SALIENCY_STREAM_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(MINIMAL, Map.of("SALIENCY_STREAM_SAMPLING_RATE", "lots"))))
                .hasMessageContaining("sampling.rate").hasMessageContaining("lots");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(MINIMAL, Map.of("SALIENCY_STREAM_SAMPLING_RATE", "1.5"))))
                .hasMessageContaining("1.5").hasMessageContaining("no more than 1.0");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(MINIMAL,
                Map.of("SALIENCY_STREAM_SUMMARY_FAITHFULNESS_FOR", "low-confidance"))))
                .hasMessageContaining("low-confidance").hasMessageContaining("low-confidence");
        Map<String, String> misspelt = new java.util.HashMap<>(MINIMAL);
        misspelt.put("explain.method-for.flag:producer", "occlusion");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(misspelt, Map.of())))
                .hasMessageContaining("explain.method-for.flag:producer").hasMessageContaining("low-confidence");
        assertThat(Settings.envName("schema.registry.url")).isEqualTo("SALIENCY_STREAM_SCHEMA_REGISTRY_URL");
        assertThat(settings(Map.of(), Map.of()).find("absent")).isEqualTo(Optional.empty());
    }

    @Test
    void classRegionsComeFromTheEnvironmentAndAreCheckedAgainstTheCatalog(@TempDir Path dir)
            throws Exception {
        Map<String, String> env = Map.of(
                "SALIENCY_STREAM_DRIFT_REGIONS_TEXT___ORIENTATION", "all=0,0,1,1",
                "SALIENCY_STREAM_DRIFT_REGIONS_TEXT___ORIENTATION_1", "top=0,0,1,0.5;bottom=0,0.5,1,1");
        ProcessorConfig c = ProcessorConfig.from(settings(MINIMAL, env));
        assertThat(c.drift().regions().lookup("text-orientation", 1)).extracting(r -> r.name())
                .containsExactly("top", "bottom");
        assertThat(c.drift().regions().lookup("text-orientation", 0)).extracting(r -> r.name()).containsExactly("all");

        List<ModelSpec> catalog;
        try (ModelCatalog shipped = ModelCatalog.defaultCatalog(new ModelStore(dir))) {
            catalog = shipped.models().stream().map(m -> m.spec()).toList();
        }
        c.checkRegions(catalog);
        assertThatThrownBy(() -> ProcessorConfig.from(settings(MINIMAL,
                Map.of("SALIENCY_STREAM_DRIFT_REGIONS_TEXT___ORIENTATION_9", "all=0,0,1,1"))).checkRegions(catalog))
                .hasMessageContaining("drift.regions.text-orientation.9").hasMessageContaining("2 classes (0 to 1)");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(MINIMAL,
                Map.of("SALIENCY_STREAM_DRIFT_REGIONS_TEXT___ORIENTATON_1", "all=0,0,1,1"))).checkRegions(catalog))
                .hasMessageContaining("drift.regions.text-orientaton").hasMessageContaining("text-orientation")
                .hasMessageContaining("a key ending in .<digits> names a class");
        Map<String, String> badBox = new java.util.HashMap<>(MINIMAL);
        badBox.put("drift.regions.text-orientation.1", "top=0,0,1");
        assertThatThrownBy(() -> ProcessorConfig.from(settings(badBox, Map.of())))
                .hasMessageContaining("drift.regions.text-orientation.1").hasMessageContaining("left,top,right,bottom");
    }

    @Test
    void targetsPerModelAndPerReasonOverTheDefaultWithLabelDisagreementExplainingBothClasses() {
        Map<String, String> file = new java.util.HashMap<>(MINIMAL);
        file.put("explain.targets", "top-k:2");
        file.put("explain.targets.shapes", "predicted+3");
        file.put("explain.targets-for.low-confidence", "top-k:3");
        file.put("drift.all-targets", "true");
        ProcessorConfig c = ProcessorConfig.from(settings(file, Map.of()));
        TargetRules rules = c.targets();
        Selection sampled = Selection.of(true, List.of());
        assertThat(rules.of("other", sampled)).isEqualTo(Targets.parse("top-k:2"));
        assertThat(rules.of("shapes", sampled)).isEqualTo(Targets.parse("predicted+3"));
        assertThat(rules.of("shapes", Selection.of(true, List.of(Selection.FLAG_LOW_CONFIDENCE))))
                .isEqualTo(Targets.parse("top-k:3"));
        assertThat(rules.of("shapes", Selection.of(true, List.of(Selection.FLAG_LABEL_DISAGREEMENT))))
                .isEqualTo(Targets.parse("predicted+label"));
        assertThat(c.drift().allTargets()).isTrue();
        assertThat(ProcessorConfig.from(settings(MINIMAL, Map.of())).targets().of("any", sampled))
                .isEqualTo(Targets.predicted());
        assertThat(ProcessorConfig.from(settings(MINIMAL, Map.of())).drift().allTargets()).isFalse();
    }

    @Test
    void badTargetsAreRefusedAtStartUpNamingTheKeyAndTheValidForms() {
        for (Map.Entry<String, String> bad : Map.of("explain.targets", "top-k:0",
                "explain.targets.shapes", "predicted+lable",
                "explain.targets-for.label-disagreement", "top-3",
                "explain.targets-for.sampled", "predicted++label").entrySet()) {
            Map<String, String> file = new java.util.HashMap<>(MINIMAL);
            file.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> ProcessorConfig.from(settings(file, Map.of())))
                    .as(bad.toString())
                    .hasMessageContaining(bad.getKey())
                    .hasMessageContaining(bad.getValue())
                    .hasMessageContaining("'predicted', 'label', 'top-k:N'");
        }
    }
}
