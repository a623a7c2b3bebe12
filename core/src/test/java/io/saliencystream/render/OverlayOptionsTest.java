package io.saliencystream.render;

import io.saliencystream.render.OverlayOptions.OverlayType;
import io.saliencystream.render.OverlayOptions.Polarity;
import io.saliencystream.render.OverlayOptions.Type;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlayOptionsTest {

    @Test
    void parsesEveryKeyInAnyCaseAndSpelling() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", "OUTLINES");
        m.put("polarity", "Both");
        m.put("clip-above-percentile", "98.5");
        m.put("clip_below_percentile", "10");
        m.put("color_map", "pink-white-green");
        m.put("Overlay_Type", "mask-black");
        m.put("scale", "2");
        m.put("max_alpha", "0.5");
        m.put("outline_regions", "3");
        m.put("legend", "false");
        OverlayOptions o = OverlayOptions.from(m);
        assertThat(o).isEqualTo(new OverlayOptions(Type.OUTLINES, Polarity.BOTH, 10, 98.5, ColorMap.PINK_WHITE_GREEN,
                OverlayType.MASK_BLACK, 2, 0.5, 3, false, null));
        assertThat(OverlayOptions.from(o.toMap())).isEqualTo(o);
        assertThat(o.toMap()).containsOnlyKeys(OverlayOptions.KEYS);
        assertThat(OverlayOptions.from(Map.of())).isEqualTo(OverlayOptions.DEFAULT);
    }

    @Test
    void unknownKeysAndValuesAreClearErrors() {
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("colour", "red")))
                .hasMessageContaining("unknown overlay option 'colour'").hasMessageContaining("color_map");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("polarity", "up")))
                .hasMessageContaining("polarity").hasMessageContaining("'up'").hasMessageContaining("positive, negative, both");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("overlay_type", "sepia")))
                .hasMessageContaining("none, original, grayscale, mask_black");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("color_map", "jet")))
                .hasMessageContaining("color_map").hasMessageContaining("unknown colour map 'jet'").hasMessageContaining("pink_green");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("clip_above_percentile", "high")))
                .hasMessageContaining("clip_above_percentile").hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("clip_below_percentile", "99.95")))
                .hasMessageContaining("clip_below_percentile must be in [0, clip_above_percentile");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("scale", "0"))).hasMessageContaining("scale must be 1..16");
        assertThatThrownBy(() -> OverlayOptions.from(Map.of("legend", "yes"))).hasMessageContaining("not true or false");
    }

    @Test
    void methodDefaultsFollowTheHostedExplainers() {
        OverlayOptions ig = OverlayOptions.forMethod("integrated_gradients");
        assertThat(ig.type()).isEqualTo(Type.OUTLINES);
        assertThat(ig.polarity()).isEqualTo(Polarity.POSITIVE);
        assertThat(ig.colorMap()).isEqualTo(ColorMap.PINK_GREEN);
        assertThat(ig.clipAbovePercentile()).isEqualTo(99.9);
        assertThat(OverlayOptions.forMethod("vanilla_gradient")).isEqualTo(ig);
        assertThat(OverlayOptions.forMethod("smoothgrad")).isEqualTo(ig);

        OverlayOptions xrai = OverlayOptions.forMethod("xrai");
        assertThat(xrai.type()).isEqualTo(Type.PIXELS);
        assertThat(xrai.polarity()).isEqualTo(Polarity.POSITIVE);
        assertThat(xrai.colorMap()).isEqualTo(ColorMap.VIRIDIS);

        assertThat(OverlayOptions.forMethod("occlusion").polarity()).isEqualTo(Polarity.BOTH);
        assertThat(OverlayOptions.forMethod("kernelshap").colorMap()).isEqualTo(ColorMap.PINK_WHITE_GREEN);
        assertThat(OverlayOptions.forMethod("rise").clipBelowPercentile()).isEqualTo(50);
        assertThat(OverlayOptions.forMethod("some-new-method")).isEqualTo(OverlayOptions.DEFAULT);
    }

    @Test
    void methodsAreNamedExactlyAsTheEngineNamesThemWithoutAliases() {
        // the engine refuses "ig" and "Integrated-Gradients", so the overlay does not quietly accept them either
        assertThat(OverlayOptions.forMethod("ig")).isEqualTo(OverlayOptions.DEFAULT);
        assertThat(OverlayOptions.forMethod("Integrated-Gradients")).isEqualTo(OverlayOptions.DEFAULT);
        assertThat(OverlayOptions.forMethod("shap")).isEqualTo(OverlayOptions.DEFAULT);
    }

    @Test
    void withChangesOnlyTheNamedSettingsAndKeepsTheCaption() {
        OverlayOptions ig = OverlayOptions.forMethod("integrated_gradients").withCaption("cat 0.9");
        OverlayOptions changed = ig.with(Map.of("overlay_type", "none"));
        assertThat(changed.overlayType()).isEqualTo(OverlayType.NONE);
        assertThat(changed.caption()).isEqualTo("cat 0.9");
        assertThat(changed.with(Map.of("overlay_type", "grayscale"))).isEqualTo(ig);
    }
}
