package io.saliencystream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.saliencystream.drift.DriftMetric;
import io.saliencystream.serde.KeyFormat;
import io.saliencystream.serde.SubjectNameStrategy;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Layers, refusals, environment spellings, Kafka pass-through and secrets of {@link Settings}. */
class SettingsTest {

    private static final Map<String, String> MINIMAL = Map.of(
            "bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081");

    private static Settings settings(Map<String, String> file, Map<String, String> env, Map<String, String> set) {
        Properties p = new Properties();
        p.putAll(file);
        return new Settings(p, "file app.properties", env, set);
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> out = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    @Test
    void precedenceIsDefaultsThenFileThenEnvironmentThenCommandLine() {
        Map<String, String> file = with(MINIMAL, "sampling.rate", "0.5", "summary.grid-rows", "4",
                "summary.grid-cols", "6");
        Map<String, String> env = Map.of("SALIENCY_STREAM_SAMPLING_RATE", "0.25", "SALIENCY_STREAM_SUMMARY_GRID_ROWS", "5");
        ProcessorConfig c = ProcessorConfig.from(settings(file, env, Map.of("sampling.rate", "0.125")));
        assertThat(c.sampling().defaultRate()).isEqualTo(0.125);    // command line over environment
        assertThat(c.gridRows()).isEqualTo(5);                        // environment over file
        assertThat(c.gridCols()).isEqualTo(6);                        // file over default
        assertThat(c.drift().minCount()).isEqualTo(5);                // default
    }

    @Test
    void unknownKeysAreRefusedWithTheClosestKnownKey() {
        assertThatThrownBy(() -> settings(with(MINIMAL, "sampling.rat", "0.1"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("file app.properties: unknown setting 'sampling.rat'; did you mean 'sampling.rate'?");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of("SALIENCY_STREAM_SAMPLNG_RATE", "0.1"), Map.of()))
                .hasMessageContaining("environment SALIENCY_STREAM_SAMPLNG_RATE: unknown setting")
                .hasMessageContaining("did you mean 'SALIENCY_STREAM_SAMPLING_RATE'?");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("drift.windw", "PT1M")))
                .hasMessageContaining("--set drift.windw").hasMessageContaining("did you mean 'drift.window'?");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("kafka.max.pol.interval.ms", "1000")))
                .hasMessageContaining("'max.pol.interval.ms' is not a Kafka client or Kafka Streams setting")
                .hasMessageContaining("did you mean 'max.poll.interval.ms'?");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("kafka.bootstrap.servers", "x:1")))
                .hasMessageContaining("set 'bootstrap.servers' instead");
    }

    @Test
    void booleansAreTrueOrFalseAndEveryRefusalNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> settings(with(MINIMAL, "flags.producer", "yes"), Map.of(), Map.of()))
                .hasMessageContaining("flags.producer").hasMessageContaining("yes")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("processing.guarantee", "exactly_once")))
                .hasMessageContaining("exactly_once").hasMessageContaining("exactly_once_v2, at_least_once");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("drift.window", "1m")))
                .hasMessageContaining("drift.window").hasMessageContaining("1m").hasMessageContaining("PT1M");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("sampling.rate.cats", "2")))
                .hasMessageContaining("sampling.rate.cats").hasMessageContaining("2")
                .hasMessageContaining("no more than 1.0");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("drift.threshold.emdd", "0.2")))
                .hasMessageContaining("'emdd' is not one of").hasMessageContaining("emd");
        assertThatThrownBy(() -> settings(MINIMAL, Map.of(), Map.of("keys.format", "json")))
                .hasMessageContaining("keys.format").hasMessageContaining("json").hasMessageContaining("string, avro");
    }

    @Test
    void keysWithAModelOrReasonInThemCanBeSetFromTheEnvironmentAlone() {
        Map<String, String> env = with(Map.of(),
                "SALIENCY_STREAM_BOOTSTRAP_SERVERS", "kafka:9092",
                "SALIENCY_STREAM_SCHEMA_REGISTRY_URL", "http://registry:8081",
                "SALIENCY_STREAM_SAMPLING_RATE_TEXT___ORIENTATION", "0.3",
                "SALIENCY_STREAM_BUDGET_MODEL_RESNET_V2_EXPLANATIONS_PER_SECOND", "2",
                "SALIENCY_STREAM_BUDGET_MODEL_RESNET_V2_BURST", "3",
                "SALIENCY_STREAM_EXPLAIN_METHOD_FOR_LOW_CONFIDENCE", "integrated_gradients",
                "SALIENCY_STREAM_EXPLAIN_METHOD_FOR_LOW_CONFIDENCE_PARAMS", "steps=64",
                "SALIENCY_STREAM_DRIFT_THRESHOLD_ROI_MASS_CHANGE", "0.2,0.1",
                "SALIENCY_STREAM_DRIFT_REGIONS_TEXT___ORIENTATION", "left=0,0,0.5,1;right=0.5,0,1,1",
                "SALIENCY_STREAM_DEBUG", "1",
                "PATH", "/usr/bin");
        ProcessorConfig c = ProcessorConfig.from(settings(Map.of(), env, Map.of()));
        assertThat(c.sampling().rateFor("text-orientation")).isEqualTo(0.3);
        assertThat(c.sampling().budgetFor("resnet.v2").explanationsPerSecond()).isEqualTo(2);
        assertThat(c.sampling().budgetFor("resnet.v2").burst()).isEqualTo(3);
        assertThat(c.methodsByReason().get("low-confidence").name()).isEqualTo("integrated_gradients");
        assertThat(c.methodsByReason().get("low-confidence").parameters()).containsEntry("steps", "64");
        assertThat(c.drift().alertPolicy().thresholds()).containsOnlyKeys(DriftMetric.ROI_MASS_CHANGE);
        assertThat(c.drift().regions().lookup("text-orientation", 0)).extracting(r -> r.name())
                .containsExactly("left", "right");
    }

    @Test
    void kafkaSettingsPassThroughFromFileEnvironmentAndCommandLine() {
        Map<String, String> file = with(MINIMAL, "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "SCRAM-SHA-512", "kafka.num.stream.threads", "3",
                "kafka.producer.max.request.size", "2097152");
        Map<String, String> env = Map.of(
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"app\" password=\"s3cret-pw\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
                "KAFKA_COMMIT_INTERVAL_MS", "500",
                "KAFKA_HOME", "/opt/kafka", "KAFKA_HEAP_OPTS", "-Xmx1g");
        Settings s = settings(file, env, Map.of("kafka.max.poll.interval.ms", "600000"));
        ProcessorConfig c = ProcessorConfig.from(s);
        Properties p = c.streamsProperties();
        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("num.stream.threads", "3")
                .containsEntry("commit.interval.ms", "500")
                .containsEntry("max.poll.interval.ms", "600000")
                .containsEntry("producer.max.request.size", "2097152");
        assertThat((String) p.get("sasl.jaas.config")).contains("s3cret-pw");
        assertThat(p).doesNotContainKeys("home", "heap.opts");
        // the sizing settings feed the poll-sizing rule: 600 s interval, 5 s worst case, two targets for a
        // label disagreement -> 30 records
        assertThat(c.streams().numStreamThreads()).isEqualTo(3);
        assertThat(c.streams().maxPollRecords()).isEqualTo(30);
    }

    @Test
    void secretsNeverAppearInTheSummaryOrInRefusals() {
        Map<String, String> file = with(MINIMAL, "schema.registry.url", "https://alice:url-pw@registry:8081",
                "basic.auth.user.info", "bob:info-pw", "basic.auth.credentials.source", "USER_INFO",
                "kafka.sasl.jaas.config", "x required password=\"jaas-pw\";",
                "kafka.ssl.truststore.password", "trust-pw");
        Settings s = settings(file, Map.of(), Map.of());
        String summary = s.summary();
        assertThat(summary).doesNotContain("url-pw", "info-pw", "jaas-pw", "trust-pw")
                .contains("basic.auth.user.info = [hidden]", "kafka.sasl.jaas.config = [hidden]",
                        "schema.registry.url = https://***@registry:8081", "kafka.ssl.truststore.password = [hidden]");
        assertThatThrownBy(() -> settings(with(MINIMAL, "basic.auth.user.info", "nocolon-pw",
                "basic.auth.credentials.source", "USER_INFO"), Map.of(), Map.of()).registry())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("nocolon-pw").contains("user:password"));
    }

    @Test
    void registryTakesConfluentClientSettingNames() {
        Settings s = settings(with(MINIMAL, "schema.registry.url", "http://a:8081, http://b:8081",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p",
                "auto.register.schemas", "false", "use.latest.version", "true",
                "value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
                "keys.format", "avro"), Map.of(), Map.of());
        ProcessorConfig c = ProcessorConfig.from(s);
        assertThat(c.registry().urls()).containsExactly("http://a:8081", "http://b:8081");
        assertThat(c.registry().authorization().get().value()).isEqualTo("Basic dTpw");
        assertThat(c.registry().serde().autoRegister()).isFalse();
        assertThat(c.registry().serde().useLatestVersion()).isTrue();
        assertThat(c.registry().serde().valueStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_RECORD);
        assertThat(c.registry().serde().keyStrategy()).isEqualTo(SubjectNameStrategy.TOPIC);
        assertThat(c.keyFormat()).isEqualTo(KeyFormat.AVRO);
        assertThatThrownBy(() -> settings(with(MINIMAL, "value.subject.name.strategy", "TopicStrategy"), Map.of(),
                Map.of())).hasMessageContaining("TopicStrategy").hasMessageContaining("TopicRecordNameStrategy");
    }
}
