package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.testing.samples.GroundTruthSamples;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SampleEventsTest {

    /** The stamp as models/groundtruth/shapes_data.py paints it: 2x2 checks, red (230, 20, 20) at the stamp's origin. */
    @Test
    void paintsTheTrainingStampOnACopyAndNothingElse() {
        GroundTruthSamples.Sample clean = GroundTruthSamples.clean().get(0);
        BufferedImage stamped = SampleEvents.withStamp(clean);
        int[] b = clean.stamp();
        assertThat(b).containsExactly(56, 56, 62, 62);
        assertThat(stamped.getRGB(56, 56) & 0xffffff).isEqualTo(0xe61414);
        assertThat(stamped.getRGB(57, 57) & 0xffffff).isEqualTo(0xe61414);
        assertThat(stamped.getRGB(58, 56) & 0xffffff).isEqualTo(0xffffff);
        assertThat(stamped.getRGB(56, 58) & 0xffffff).isEqualTo(0xffffff);
        assertThat(stamped.getRGB(59, 59) & 0xffffff).isEqualTo(0xe61414);
        assertThat(stamped.getRGB(61, 61) & 0xffffff).isEqualTo(0xe61414);
        int changed = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean inStamp = x >= 56 && x < 62 && y >= 56 && y < 62;
                if ((stamped.getRGB(x, y) & 0xffffff) != (clean.image().getRGB(x, y) & 0xffffff)) {
                    changed++;
                    assertThat(inStamp).as("pixel %d,%d", x, y).isTrue();
                }
            }
        }
        assertThat(changed).isPositive();
        // the sample itself is untouched
        assertThat(clean.image().getRGB(56, 56) & 0xffffff).isNotEqualTo(0xe61414);
    }
}
