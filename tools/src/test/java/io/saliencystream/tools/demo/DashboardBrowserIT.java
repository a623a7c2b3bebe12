package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.quality.InterpretationBucket;
import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.AttentionDriftMetrics;
import io.saliencystream.schema.BucketAttention;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.stream.ExplainedEvent;
import io.saliencystream.stream.Targets;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.TopicNames;
import io.saliencystream.stream.drift.DriftKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless chromium, driven by its chromedriver) on the
 * demo's results while the demo's broker, processor and dashboard still run: the page's script
 * fetches the JSON and overlays and draws them, and what it draws is checked against what the demo
 * read back from the topics. Then a producer writes an explanation whose label and event id carry
 * markup, and the page must show them as text.
 *
 * <p>With {@code -Dsaliency.docs.img=true} it also writes the screenshots the README shows to
 * {@code docs/img/dashboard-*.png}.
 */
@Tag("integration")
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final boolean DOCS = Boolean.getBoolean("saliency.docs.img");
    /** From the tools module, where failsafe runs. */
    private static final Path DOCS_IMG = Path.of("..", "docs", "img");
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 900;
    private static final String TEXT_MODEL = "text-orientation";
    /** DriftDemoIT's scenario: about 12 shapes per class and window, alerts open after the stamp. */
    private static final DriftScenario SCENARIO = new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(20),
            50, 3, 3, 2, 6, 2, 0.1);
    /** Gallery tiles the dashboard keeps per model (DashboardLimits.defaults()). */
    private static final int TILES_PER_MODEL = 300;
    private static final String HOSTILE_ID = "x<i>ss</i>";
    private static final String HOSTILE_LABEL = "<script>document.title='pwned'</script>";

    @TempDir
    Path out;

    @TempDir
    Path profile;

    @Test
    void theDemosResultsAsAPersonSeesThem() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run installs it)")
                .isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (.ci/run installs it)").isExecutable();
        new DemoRunner(System.out).run(new DemoRunner.Options(out, 24, 0.4, 7, Duration.ofMinutes(8), SCENARIO),
                (stack, topics, result) -> {
                    ChromeDriver driver = browser();
                    try {
                        Page page = new Page(driver, result.dashboardUrl());
                        checkOverview(page, result);
                        checkGallery(page, result);
                        String verified = checkEvent(page, result);
                        checkAudit(page, verified);
                        checkDrift(page, result);
                        produceHostile(stack.schemaRegistryUrl(), stack.bootstrapServers(), topics, result);
                        checkHostileRendersAsText(page);
                        assertThat(page.logErrors()).as("the page's console").isEmpty();
                    } finally {
                        driver.quit();
                    }
                });
    }

    private ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // without the background-networking flags chromium's own connections are refused many at a time here
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--force-device-scale-factor=1", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    // ---- the views on the demo's results ----

    private void checkOverview(Page page, DemoRunner.Result result) throws Exception {
        page.open("#/overview");
        Map<String, Long> explained = countBy(result.outputs().summaries(),
                s -> s.getModelName() + ":" + s.getModelVersion());
        for (Map.Entry<String, Long> e : explained.entrySet()) {
            page.await("the model card of " + e.getKey(), () -> page.texts(".card.model").stream()
                    .anyMatch(t -> t.startsWith(e.getKey() + "\n" + e.getValue() + " explanations read")));
        }
        // one row per alert the scenario opened, and the nine bad inputs' codes
        page.await("open alerts", () -> page.all("#open-alerts tr.alert-row").size()
                == openSeries(result.outputs().driftAlerts()).size());
        Map<String, Long> deadLetters = countBy(result.outputs().deadLetters(),
                d -> d.getStage() + "/" + d.getErrorCode());
        page.await("dead letters by code", () -> page.text("#dead-letters").contains("Dead letters by code"));
        for (Map.Entry<String, Long> e : deadLetters.entrySet()) {
            assertThat(page.text("#dead-letters")).contains(e.getKey() + " " + e.getValue());
        }
        page.screenshot("overview", 1400);
    }

    private void checkGallery(Page page, DemoRunner.Result result) throws Exception {
        List<SaliencySummary> summaries = result.outputs().summaries();
        long held = countBy(summaries, SaliencySummary::getModelName).values().stream()
                .mapToLong(n -> Math.min(n, TILES_PER_MODEL)).sum();
        page.open("#/gallery");
        page.await("every explanation held", () -> page.text("#gallery-count").startsWith(held + " of " + held + " held"));
        assertThat(page.all("a.tile")).hasSize((int) Math.min(held, 60));
        page.awaitImages("a.tile img", (int) Math.min(held, 60));
        page.screenshot("gallery", 1100);

        // filter by model in the page's own control: exactly the text lines the processor explained
        List<SaliencySummary> text = summaries.stream().filter(s -> s.getModelName().equals(TEXT_MODEL)).toList();
        assertThat(text).as("the demo explained text lines").isNotEmpty().hasSizeLessThanOrEqualTo(60);
        page.select("#filter-model", TEXT_MODEL);
        page.await("the model filter", () -> page.text("#gallery-count").startsWith(text.size() + " of " + held));
        assertThat(page.url()).endsWith("#/gallery?model=" + TEXT_MODEL);
        assertThat(page.tileIds()).containsExactlyInAnyOrderElementsOf(ids(text));
        page.awaitImages("a.tile img", text.size());

        // and by selection reason on top: the flagged ones among them
        String reason = text.stream().flatMap(s -> s.getSelectionReasons().stream()).filter(r -> r.startsWith("flag:"))
                .findFirst().orElseThrow(() -> new AssertionError("no flagged text line in the demo"));
        List<SaliencySummary> flagged = text.stream().filter(s -> s.getSelectionReasons().contains(reason)).toList();
        page.select("#filter-reason", reason);
        page.await("the reason filter", () -> page.text("#gallery-count").startsWith(flagged.size() + " of " + held));
        assertThat(page.tileIds()).containsExactlyInAnyOrderElementsOf(ids(flagged));
        assertThat(page.texts("a.tile")).allSatisfy(t -> assertThat(t).contains(reason));

        // a predicted class of the other model: every tile shows it
        page.open("#/gallery?class=circle");
        // awaited, not read once: the page redraws (new elements) whenever records arrive
        page.await("the class filter", () -> !page.all("a.tile").isEmpty()
                && page.texts("a.tile .label").stream().allMatch("circle"::equals));
        long circles = summaries.stream().filter(s -> "circle".equals(s.getPredictedLabel())).count();
        assertThat(Long.parseLong(page.text("#gallery-count").split(" ")[0])).isBetween(1L, circles);

        // by interpretation bucket: every demo event carries its ground truth, and all four cases occur
        Map<String, Long> buckets = countBy(summaries, s -> String.valueOf(s.getInterpretationBucket()));
        assertThat(buckets).as("interpretation buckets of the demo's explanations").containsOnlyKeys(
                Arrays.stream(InterpretationBucket.values()).map(InterpretationBucket::id).toArray(String[]::new));
        String wrong = InterpretationBucket.FALSE_POSITIVE_HIGH_CONFIDENCE.id();
        List<String> wrongIds = ids(summaries.stream().filter(s -> wrong.equals(s.getInterpretationBucket())).toList());
        page.open("#/gallery");
        page.await("the bucket filter", () -> !page.all("#filter-bucket option").isEmpty());
        assertThat(page.all("#filter-bucket option")).as("all and the four buckets").hasSize(5);
        page.select("#filter-bucket", wrong);
        page.await("only confidently wrong tiles, as many as the count says", () -> {
            List<String> shown = page.tileIds();
            long matching = Long.parseLong(page.text("#gallery-count").split(" ")[0]);
            return page.url().endsWith("#/gallery?bucket=" + wrong) && !shown.isEmpty()
                    && matching >= shown.size() && matching <= wrongIds.size() && wrongIds.containsAll(shown)
                    && page.texts("a.tile .bucket").equals(Collections.nCopies(shown.size(), "confidently wrong"));
        });
        page.awaitImages("a.tile img", page.tileIds().size());
        page.screenshot("gallery-confidently-wrong", 1100);
    }

    /** Opens a flagged text line's event page from its tile; returns its event id. */
    private String checkEvent(Page page, DemoRunner.Result result) throws Exception {
        page.open("#/gallery?model=" + TEXT_MODEL);
        page.await("text tiles", () -> !page.all("a.tile").isEmpty());
        // a predicted target's tile, whose id is the event id
        WebElement tile = page.all("a.tile").stream()
                .filter(t -> !t.getAttribute("data-event-id").contains(ExplainedEvent.TARGET_KEY_SEPARATOR))
                .findFirst().orElseThrow();
        String id = tile.getAttribute("data-event-id");
        SaliencySummary summary = result.outputs().summaries().stream().filter(s -> s.getEventId().equals(id)
                && s.getTarget().equals(Targets.PREDICTED)).findFirst().orElseThrow();
        SaliencyOverlay overlay = result.outputs().overlays().stream().filter(o -> o.getEventId().equals(id)
                && o.getTarget().equals(Targets.PREDICTED)).findFirst().orElseThrow();
        tile.click();
        page.await("the event page", () -> page.url().endsWith("#/event/" + id) && !page.all("#event-label").isEmpty());
        assertThat(page.text("#event-label")).isEqualTo(summary.getPredictedLabel());
        page.awaitImages("img.full", 1);
        assertThat(page.number("return document.querySelector('img.full').naturalWidth"))
                .as("the overlay PNG from its topic").isEqualTo(overlay.getWidth());
        assertThat(page.text("#fields-summary")).contains("eventId " + id);
        assertThat(page.text("#event-bucket")).contains(summary.getInterpretationBucket());
        assertThat(page.text("#fields-audit")).contains("modelSha256").contains("eventId " + id);
        page.screenshot("event", 1400);
        return id;
    }

    private void checkAudit(Page page, String eventId) throws Exception {
        page.driver.findElement(By.linkText("Verify this explanation")).click();
        page.await("the audit page", () -> !page.all("#verify").isEmpty() && page.find("#verify").isEnabled());
        assertThat(page.find("#audit-id").getAttribute("value")).isEqualTo(eventId);
        page.find("#verify").click();
        page.await("the verdict", Duration.ofMinutes(3), () -> !page.all("#verdict-word").isEmpty());
        assertThat(page.text("#verdict-word")).as(page.text("#verdict")).isEqualTo("MATCH");
        page.screenshot("audit", 1100);
    }

    private void checkDrift(Page page, DemoRunner.Result result) throws Exception {
        List<AttentionDriftAlert> alerts = result.outputs().driftAlerts();
        assertThat(alerts).as("the scenario opens alerts").isNotEmpty();
        Set<String> alerting = openSeries(alerts);
        page.open("#/drift");
        page.await("the alerts", () -> page.all("#drift tr.alert-row").size() == alerts.size());
        Map<String, String> rows = page.fresh(() -> page.all("#series-table tr.series-row").stream()
                .collect(Collectors.toMap(row -> row.getAttribute("data-key"), WebElement::getText)));
        rows.forEach((key, row) ->
                assertThat(row.contains("ALERT OPEN")).as("state of %s", key).isEqualTo(alerting.contains(key)));
        // from the circle's alert (the class the corner stamp stands for) to its series
        AttentionDriftAlert circle = alerts.stream().filter(a -> a.getPredictedClass() == 0).findFirst()
                .orElseThrow(() -> new AssertionError("no alert for circle: " + alerts));
        String key = DriftKey.format(circle.getModelName(), circle.getModelVersion(), circle.getPredictedClass());
        page.all("#drift table.alerts tr.alert-row").stream().filter(r -> r.getText().contains("\"circle\""))
                .findFirst().orElseThrow().findElement(By.tagName("a")).click();
        page.await("the circle's series", () -> !page.all("#drift-chart").isEmpty());
        assertThat(page.text("#series-name")).isEqualTo("shapes:v1 \"circle\"");
        int windows = SCENARIO.cleanWindows() + SCENARIO.stampedWindows();
        assertThat(page.all("#drift-chart circle.point")).as("a point per window with a distance")
                .hasSize(windows - SCENARIO.learnWindows());
        assertThat(page.all("#drift-chart rect.learning")).hasSize(SCENARIO.learnWindows());
        assertThat(page.all("#drift-chart rect.alert-band")).isNotEmpty();
        assertThat(page.all("#drift-chart line.threshold")).hasSize(1);
        assertThat(page.all("#reference-grid rect")).isNotEmpty();
        assertThat(page.all("#latest-grid rect")).isNotEmpty();
        assertThat(page.text("#series")).contains(String.format(Locale.ROOT, "%.3f", circle.getDistance()))
                .contains("OPEN");
        assertThat(page.url()).endsWith("#/drift/" + key.replace("|", "%7C"));

        // the latest window's grid per interpretation bucket, right next to wrong
        AttentionDriftMetrics latest = result.outputs().driftMetrics().stream()
                .filter(m -> DriftKey.format(m.getModelName(), m.getModelVersion(), m.getPredictedClass()).equals(key))
                .filter(m -> !m.getMeanGrid().isEmpty()).reduce((a, b) -> b).orElseThrow();
        assertThat(latest.getBuckets()).as("buckets of the circle's latest window").isNotEmpty();
        page.await("the bucket grids", () -> page.all("#bucket-grids figure").size() == 4);
        for (BucketAttention b : latest.getBuckets()) {
            String figure = "#bucket-" + b.getBucket();
            page.await("the grid of " + b.getBucket(), () -> page.all(figure + " rect").size()
                    == (b.getCount() > 0 ? latest.getGridRows() * latest.getGridCols() : 0)
                    && page.text(figure).contains(b.getCount() + " map"));
        }
        page.screenshot("drift", 2000);
    }

    // ---- producer data with markup ----

    /** A copy of one of the demo's text explanations, under an event id and a label that carry markup. */
    private static void produceHostile(String registryUrl, String bootstrap, TopicNames topics, DemoRunner.Result result) {
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(registryUrl));
        SaliencySummary summary = result.outputs().summaries().stream()
                .filter(s -> s.getModelName().equals(TEXT_MODEL) && s.getTarget().equals(Targets.PREDICTED))
                .findFirst().orElseThrow();
        String id = summary.getEventId();
        SaliencyOverlay overlay = result.outputs().overlays().stream().filter(o -> o.getEventId().equals(id)
                && o.getTarget().equals(Targets.PREDICTED)).findFirst().orElseThrow();
        ExplanationAudit audit = result.outputs().audits().stream().filter(a -> a.getEventId().equals(id)
                && a.getTarget().equals(Targets.PREDICTED)).findFirst().orElseThrow();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.saliencyOverlays(), HOSTILE_ID, serdes.specific(SaliencyOverlay.class)
                    .serializer().serialize(topics.saliencyOverlays(), SaliencyOverlay.newBuilder(overlay)
                            .setEventId(HOSTILE_ID).setPredictedLabel(HOSTILE_LABEL).build())));
            producer.send(new ProducerRecord<>(topics.explanationAudit(), HOSTILE_ID, serdes.specific(ExplanationAudit.class)
                    .serializer().serialize(topics.explanationAudit(), ExplanationAudit.newBuilder(audit)
                            .setEventId(HOSTILE_ID).build())));
            producer.send(new ProducerRecord<>(topics.saliencySummaries(), HOSTILE_ID, serdes.specific(SaliencySummary.class)
                    .serializer().serialize(topics.saliencySummaries(), SaliencySummary.newBuilder(summary)
                            .setEventId(HOSTILE_ID).setPredictedLabel(HOSTILE_LABEL).build())));
            producer.flush();
        }
    }

    private void checkHostileRendersAsText(Page page) throws Exception {
        page.open("#/gallery?model=" + TEXT_MODEL);
        page.await("the tile with markup", () -> page.tileIds().contains(HOSTILE_ID));
        WebElement tile = page.all("a.tile").stream().filter(t -> HOSTILE_ID.equals(t.getAttribute("data-event-id")))
                .findFirst().orElseThrow();
        assertThat(tile.findElement(By.cssSelector(".label")).getText()).isEqualTo(HOSTILE_LABEL);
        assertThat(tile.findElement(By.cssSelector(".event-id")).getText()).isEqualTo(HOSTILE_ID);
        assertMarkupInert(page);
        // its label filter option is text too, and selecting it finds the tile
        page.select("#filter-class", HOSTILE_LABEL);
        page.await("the filter on the label with markup", () -> page.tileIds().equals(List.of(HOSTILE_ID)));
        page.all("a.tile").get(0).click();
        page.await("its event page", () -> !page.all("#event-label").isEmpty());
        assertThat(page.text("#event-label")).isEqualTo(HOSTILE_LABEL);
        assertThat(page.text("h1 .event-id")).isEqualTo(HOSTILE_ID);
        assertMarkupInert(page);
        // its audit record is a copy of another event's: the check finds no input for this id
        page.driver.findElement(By.linkText("Verify this explanation")).click();
        page.await("the audit page", () -> !page.all("#verify").isEmpty() && page.find("#verify").isEnabled());
        page.find("#verify").click();
        page.await("the verdict", Duration.ofMinutes(3), () -> !page.all("#verdict-word").isEmpty());
        assertThat(page.text("#verdict-word")).isEqualTo("MISMATCH");
        assertThat(page.text("#verdict-reason")).isNotBlank();
        assertMarkupInert(page);
    }

    /** Nothing from the records became an element, and the script in the label did not run. */
    private static void assertMarkupInert(Page page) {
        assertThat(page.all("#main script")).isEmpty();
        assertThat(page.all("#main i")).isEmpty();
        assertThat(page.driver.getTitle()).isEqualTo("saliency-stream");
    }

    // ---- helpers ----

    private static Set<String> openSeries(List<AttentionDriftAlert> alerts) {
        return alerts.stream().map(a -> DriftKey.format(a.getModelName(), a.getModelVersion(), a.getPredictedClass()))
                .collect(Collectors.toSet());
    }

    /** The tiles' ids: each target's output key. */
    private static List<String> ids(List<SaliencySummary> summaries) {
        return summaries.stream().map(s -> ExplainedEvent.key(s.getEventId(), s.getTarget(), s.getPredictedClass()))
                .toList();
    }

    private static <T> Map<String, Long> countBy(List<T> records, Function<T, String> key) {
        return records.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    /** The page in the browser, with waits that ride out its redraws (it redraws when new records arrive). */
    private static final class Page {

        private final ChromeDriver driver;
        private final String base;

        Page(ChromeDriver driver, String base) {
            this.driver = driver;
            this.base = base;
        }

        /** Loads the page afresh at {@code hash}, so that nothing of the view shown before is waited on. */
        void open(String hash) {
            driver.get("about:blank");
            driver.get(base + hash);
        }

        String url() {
            return driver.getCurrentUrl();
        }

        WebElement find(String css) {
            return driver.findElement(By.cssSelector(css));
        }

        List<WebElement> all(String css) {
            return driver.findElements(By.cssSelector(css));
        }

        String text(String css) {
            return fresh(() -> find(css).getText());
        }

        List<String> texts(String css) {
            return fresh(() -> all(css).stream().map(WebElement::getText).toList());
        }

        List<String> tileIds() {
            return fresh(() -> all("a.tile").stream().map(t -> t.getAttribute("data-event-id")).toList());
        }

        /** Reads the page again when it redrew under the read (it redraws whenever records arrive). */
        <T> T fresh(java.util.function.Supplier<T> read) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return read.get();
                } catch (StaleElementReferenceException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                }
            }
        }

        long number(String script) {
            return ((Number) ((JavascriptExecutor) driver).executeScript(script)).longValue();
        }

        void select(String css, String value) {
            new Select(find(css)).selectByValue(value);
        }

        void await(String what, java.util.function.BooleanSupplier condition) {
            await(what, Duration.ofSeconds(60), condition);
        }

        void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
            new WebDriverWait(driver, timeout).withMessage(() -> what + "; the page shows: " + visible())
                    .ignoring(StaleElementReferenceException.class)
                    .until(d -> condition.getAsBoolean());
        }

        /** Waits until {@code count} images matching {@code css} have loaded. */
        void awaitImages(String css, int count) {
            await(count + " images " + css + " loaded", () -> number("return [...document.querySelectorAll(\""
                    + css + "\")].filter(i => i.complete && i.naturalWidth > 0).length") == count);
        }

        private String visible() {
            try {
                return driver.findElement(By.id("main")).getText();
            } catch (RuntimeException e) {
                return "(nothing: " + e + ")";
            }
        }

        /** Errors in the browser's console (a failed fetch, a script error, a blocked resource). */
        List<String> logErrors() {
            return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                    .map(Object::toString).toList();
        }

        /** With -Dsaliency.docs.img=true: the page {@link #WIDTH} wide, as tall as it is up to {@code maxHeight} px. */
        void screenshot(String name, int maxHeight) throws Exception {
            if (!DOCS) {
                return;
            }
            long height = number("return Math.ceil(document.documentElement.scrollHeight)");
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH,
                    "height", Math.min(maxHeight, height), "deviceScaleFactor", 1, "mobile", false));
            try {
                Files.write(DOCS_IMG.resolve("dashboard-" + name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
            }
        }
    }
}
