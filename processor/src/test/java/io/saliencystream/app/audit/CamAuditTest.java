package io.saliencystream.app.audit;

import io.saliencystream.engine.method.ExplanationEngine;
import io.saliencystream.engine.input.ImageDecoder;
import io.saliencystream.engine.model.ModelCatalog;
import io.saliencystream.engine.model.ModelSpec;
import io.saliencystream.engine.model.ModelStore;
import io.saliencystream.quality.InterpretationBuckets;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.serde.AvroTrust;
import io.saliencystream.stream.EngineEventExplainer;
import io.saliencystream.stream.TargetRules;
import io.saliencystream.stream.EventInputs;
import io.saliencystream.stream.Selection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CAM methods chosen per selection reason in the processor's explainer, on the real PaddleOCR
 * model: the audit names the method and its layer, the summary carries the map, and the verifier
 * recomputes the same map.
 */
class CamAuditTest {

    private static ModelCatalog catalog;

    @BeforeAll
    static void open() throws Exception {
        catalog = ModelCatalog.fromResource("/models/test-catalog.json", new ModelStore());
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    @Test
    void camMethodsPerReasonAreAuditedAndVerify() throws Exception {
        AvroTrust.install();
        EventInputs inputs = new EventInputs(ImageDecoder.withDefaults(), 1 << 20, Optional.empty());
        EngineEventExplainer explainer = new EngineEventExplainer(catalog, new ExplanationEngine(), inputs, 4, 8,
                Map.of("java", "17"), Clock.fixed(ExplainedFixtures.NOW, ZoneOffset.UTC),
                Map.of(Selection.SAMPLED, new ModelSpec.MethodSpec("gradcam", Map.of()),
                        "producer", new ModelSpec.MethodSpec("reciprocam", Map.of("batch_size", "8"))),
                Set.of(), InterpretationBuckets.defaults(), TargetRules.unconfigured());
        ExplainedFixtures.Explained sampled = ExplainedFixtures.explain(explainer, "cam-1", 3, false);
        var flaggedEvent = ExplainedFixtures.explain(explainer, "cam-2", 5, true).event();
        var flagged = explainer.explain(flaggedEvent, Selection.of(false, List.of(Selection.FLAG_PRODUCER))).get(0);

        ExplanationAudit a1 = sampled.out().audit();
        ExplanationAudit a2 = flagged.audit();
        assertThat(a1.getMethod()).isEqualTo("gradcam");
        assertThat(a1.getParameters()).containsEntry("target_layer", "auto").containsEntry("score", "logodds");
        assertThat(a2.getMethod()).isEqualTo("reciprocam");
        assertThat(a2.getParameters()).containsEntry("batch_size", "8");
        assertThat(sampled.out().summary().getPositiveMass()).isPositive();

        AuditVerifier verifier = new AuditVerifier(catalog, new ExplanationEngine(), inputs,
                new EventIndex(List.of(sampled.event(), flaggedEvent), "test events"),
                Map.of("cam-1", sampled.out().summary(), "cam-2", flagged.summary()));
        for (ExplanationAudit audit : List.of(a1, a2)) {
            AuditVerdict v = verifier.verify(audit);
            assertThat(v.match()).as(v.line()).isTrue();
        }
    }
}
