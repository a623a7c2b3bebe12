package io.saliencystream.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.saliencystream.registry.HttpSchemaRegistryClient;
import io.saliencystream.schema.AlertState;
import io.saliencystream.schema.AttentionDriftAlert;
import io.saliencystream.schema.ExplanationAudit;
import io.saliencystream.schema.SaliencyOverlay;
import io.saliencystream.schema.SaliencySummary;
import io.saliencystream.serde.AvroSerdes;
import io.saliencystream.stream.TopicNames;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's chromium, headless, through chromium-driver) against
 * the embedded demo: a real broker with the demo's events and its drift scenario, the processor,
 * and the dashboard it starts. Checks the gallery's tiles and filters, the drift view with the
 * alert the scenario opens, the audit check, and that a record whose label and event id carry
 * markup is shown as text. Screenshots of each view go to target/dashboard-screenshots, or to the
 * folder named by -Ddashboard.screenshots (the README's come from docs/img).
 */
@Tag("integration")
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** DriftDemoIT's scenario: small, and an alert opens for "circle" after the switch. */
    private static final DriftScenario SCENARIO = new DriftScenario(Duration.ofSeconds(20), Duration.ofSeconds(20),
            50, 3, 3, 2, 6, 2, 0.1);
    private static final String EVIL_LABEL = "<script>window.__injected=1</script>";
    private static final String EVIL_ID = "evil-\"><img src=x onerror=\"window.__injected=2\">";

    @TempDir
    Path out;

    @Test
    void theViewsShowTheDemoAndRenderProducerDataAsText() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver").isExecutable();
        Path shots = Path.of(System.getProperty("dashboard.screenshots", "target/dashboard-screenshots"));
        Files.createDirectories(shots);

        new DemoRunner(System.out).run(new DemoRunner.Options(out, 12, 0.3, 7, Duration.ofMinutes(8), SCENARIO),
                (stack, topics, result) -> {
                    WebDriver browser = browser();
                    try {
                        checkViews(browser, result, shots);
                        injectMarkup(stack, topics, result);
                        checkMarkupIsText(browser, result.dashboardUrl(), shots);
                    } finally {
                        browser.quit();
                    }
                });
    }

    private void checkViews(WebDriver browser, DemoRunner.Result result, Path shots) throws Exception {
        String url = result.dashboardUrl();
        List<SaliencySummary> summaries = result.outputs().summaries();
        // the dashboard keeps the newest summaries per model, DashboardLimits.defaults() of them
        int perModel = io.saliencystream.dashboard.DashboardLimits.defaults().summariesPerModel();
        int held = summaries.stream().collect(Collectors.groupingBy(SaliencySummary::getModelName, Collectors.counting()))
                .values().stream().mapToInt(n -> (int) Math.min(perModel, n)).sum();

        // gallery: the newest 60 of everything read, each tile an explained event with its overlay loaded
        browser.get(url + "#/gallery");
        await(browser, d -> d.findElement(By.id("gallery-count")).getText().contains(held + " held"));
        List<WebElement> tiles = browser.findElements(By.cssSelector(".tile"));
        assertThat(tiles).hasSize(60);
        Set<String> explained = summaries.stream().map(SaliencySummary::getEventId).collect(Collectors.toSet());
        assertThat(tiles).allSatisfy(t -> assertThat(explained).contains(t.getDomAttribute("data-event-id")));
        await(browser, d -> (Boolean) js(d, "return [...document.querySelectorAll('.tile img')].slice(0, 8)"
                + ".every(i => i.complete && i.naturalWidth > 0)"));
        screenshot(browser, shots, "dashboard-gallery.png");

        // overview: both models, the dead letters of the demo's bad inputs by code, the open alert
        browser.get(url + "#/overview");
        await(browser, d -> d.findElements(By.cssSelector(".card.model")).size() == 2);
        String overview = browser.findElement(By.id("overview")).getText();
        assertThat(overview).contains("text-orientation:ppocr-mobile-v2.0-cls", "shapes:v1", "validate/unknown-model",
                "decode/not-wire-format", "Open attention-drift alerts");
        screenshot(browser, shots, "dashboard-overview.png");

        // filters: one model, then one class of the other
        long textTiles = summaries.stream().filter(s -> s.getModelName().equals("text-orientation")).count();
        browser.get(url + "#/gallery");
        await(browser, d -> d.findElement(By.id("gallery-count")).getText().contains(held + " held"));
        new Select(browser.findElement(By.id("filter-model"))).selectByValue("text-orientation");
        await(browser, d -> d.findElement(By.id("gallery-count")).getText().startsWith(textTiles + " of "));
        assertThat(browser.findElements(By.cssSelector(".tile"))).hasSize((int) Math.min(60, textTiles))
                .allSatisfy(t -> assertThat(t.getText()).contains("text-orientation:ppocr-mobile-v2.0-cls"));
        browser.get(url + "#/gallery?model=shapes");
        await(browser, d -> d.findElements(By.id("filter-class")).size() == 1
                && d.findElement(By.id("gallery-count")).getText().contains("held"));
        new Select(browser.findElement(By.id("filter-class"))).selectByValue("circle");
        await(browser, d -> d.getCurrentUrl().contains("class=circle")
                && d.findElement(By.id("gallery-count")).getText().contains("held"));
        Set<String> circles = summaries.stream()
                .filter(s -> s.getModelName().equals("shapes") && "circle".equals(s.getPredictedLabel()))
                .map(SaliencySummary::getEventId).collect(Collectors.toSet());
        assertThat(browser.findElements(By.cssSelector(".tile"))).isNotEmpty()
                .allSatisfy(t -> assertThat(circles).contains(t.getDomAttribute("data-event-id")))
                .allSatisfy(t -> assertThat(t.findElement(By.cssSelector(".label")).getText()).isEqualTo("circle"));
        screenshot(browser, shots, "dashboard-gallery-filtered.png");
        // every text line is held (fewer than the per-model limit): a class filter alone counts exactly
        String textLabel = summaries.stream().filter(s -> s.getModelName().equals("text-orientation"))
                .map(SaliencySummary::getPredictedLabel).findFirst().orElseThrow();
        long textWithLabel = summaries.stream().filter(s -> textLabel.equals(s.getPredictedLabel())).count();
        browser.get(url + "#/gallery?class=" + encode(textLabel));
        await(browser, d -> d.findElement(By.id("gallery-count")).getText().startsWith(textWithLabel + " of " + held));
        assertThat(browser.findElements(By.cssSelector(".tile .label")))
                .hasSize((int) textWithLabel).allSatisfy(l -> assertThat(l.getText()).isEqualTo(textLabel));

        // the event page: the overlay at full size, its summary and audit record
        SaliencySummary circle = summaries.stream()
                .filter(s -> s.getModelName().equals("shapes") && "circle".equals(s.getPredictedLabel()))
                .reduce((a, b) -> b).orElseThrow();
        browser.get(url + "#/event/" + encode(circle.getEventId()));
        await(browser, d -> d.findElements(By.id("fields-audit")).size() == 1);
        assertThat(browser.findElement(By.id("fields-summary")).getText()).contains("selectionReasons", "grid");
        assertThat(browser.findElement(By.id("fields-audit")).getText()).contains("modelSha256", circle.getEventId());
        await(browser, d -> (Boolean) js(d, "const i = document.querySelector('img.full');"
                + " return i.complete && i.naturalWidth > 0"));
        screenshot(browser, shots, "dashboard-event.png");

        // drift: the alert the scenario opened, listed and linked to its series
        AttentionDriftAlert alert = result.outputs().driftAlerts().stream()
                .filter(a -> a.getState() == AlertState.OPEN && a.getPredictedClass() == 0).findFirst().orElseThrow();
        browser.get(url + "#/drift");
        await(browser, d -> d.findElements(By.cssSelector(".alert-row")).size() >= 1);
        WebElement circleRow = browser.findElement(By.cssSelector(".series-row[data-key='shapes|v1|0']"));
        assertThat(circleRow.getText()).contains("shapes:v1 \"circle\"", "ALERT OPEN");
        assertThat(browser.findElement(By.cssSelector("table.alerts")).getText())
                .contains("OPEN", "shapes:v1 \"circle\"", "jensen-shannon", String.format(java.util.Locale.ROOT, "%.3f",
                        alert.getDistance()));
        screenshot(browser, shots, "dashboard-drift.png");
        browser.findElement(By.cssSelector("table.alerts a")).click();
        await(browser, d -> d.findElements(By.id("drift-chart")).size() == 1);
        assertThat(browser.findElement(By.id("series-name")).getText()).isNotEmpty();
        browser.get(url + "#/drift/" + encode("shapes|v1|0"));
        await(browser, d -> d.findElements(By.id("reference-grid")).size() == 1);
        assertThat(browser.findElements(By.cssSelector("#drift-chart rect.learning"))).hasSize(SCENARIO.learnWindows());
        assertThat(browser.findElements(By.cssSelector("#drift-chart rect.alert-band"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#drift-chart line.threshold"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#drift-chart circle.point")))
                .hasSize(SCENARIO.cleanWindows() + SCENARIO.stampedWindows() - SCENARIO.learnWindows());
        assertThat(browser.findElements(By.id("latest-grid"))).hasSize(1);
        assertThat(browser.findElement(By.id("reference-grid")).getText()).contains("learned from 2 windows");
        screenshot(browser, shots, "dashboard-drift-series.png");

        // audit: the same check as verify, MATCH for a real record, MISMATCH with the reason for a forged one
        browser.get(url + "#/audit/" + encode(circle.getEventId()));
        await(browser, d -> d.findElements(By.id("verify")).size() == 1);
        browser.findElement(By.id("verify")).click();
        await(browser, Duration.ofMinutes(2), d -> d.findElements(By.id("verdict-word")).size() == 1);
        assertThat(browser.findElement(By.id("verdict-word")).getText()).isEqualTo("MATCH");
        assertThat(browser.findElement(By.id("verdict-reason")).getText()).contains("map hash");
        screenshot(browser, shots, "dashboard-audit.png");
    }

    private void checkMarkupIsText(WebDriver browser, String url, Path shots) throws Exception {
        browser.get(url + "#/audit/" + encode(EVIL_ID));
        await(browser, d -> d.findElements(By.id("verify")).size() == 1);
        browser.findElement(By.id("verify")).click();
        await(browser, Duration.ofMinutes(2), d -> d.findElements(By.id("verdict-word")).size() == 1);
        assertThat(browser.findElement(By.id("verdict-word")).getText()).isEqualTo("MISMATCH");
        assertThat(browser.findElement(By.id("verdict-reason")).getText()).contains("not in the catalog");

        // markup in producer data is text: on the tile, on its event page, and no script of it ran
        browser.get(url + "#/gallery?model=injected");
        await(browser, d -> d.findElements(By.cssSelector(".tile .label")).size() == 1);
        assertThat(browser.findElement(By.cssSelector(".tile .label")).getText()).isEqualTo(EVIL_LABEL);
        assertThat(browser.findElement(By.cssSelector(".tile .event-id")).getText()).isEqualTo(EVIL_ID);
        browser.findElement(By.cssSelector(".tile")).click();
        await(browser, d -> d.findElements(By.id("event-label")).size() == 1);
        assertThat(browser.findElement(By.id("event-label")).getText()).isEqualTo(EVIL_LABEL);
        assertThat(browser.findElement(By.cssSelector("h1 .event-id")).getText()).isEqualTo(EVIL_ID);
        assertThat(js(browser, "return window.__injected === undefined")).isEqualTo(true);
        assertThat(js(browser, "return document.querySelectorAll('script').length")).isEqualTo(1L);
        assertThat(js(browser, "return document.querySelectorAll('main img:not(.full)').length")).isEqualTo(0L);
        screenshot(browser, shots, "dashboard-injected.png");
    }

    /** A summary, overlay and audit record whose label and event id carry markup, as a hostile producer could write. */
    private static void injectMarkup(EmbeddedStack stack, TopicNames topics, DemoRunner.Result result) {
        AvroSerdes serdes = new AvroSerdes(new HttpSchemaRegistryClient(stack.schemaRegistryUrl()));
        SaliencySummary summary = SaliencySummary.newBuilder(result.outputs().summaries().get(0))
                .setEventId(EVIL_ID).setModelName("injected").setPredictedLabel(EVIL_LABEL).build();
        SaliencyOverlay overlay = SaliencyOverlay.newBuilder(result.outputs().overlays().get(0))
                .setEventId(EVIL_ID).setModelName("injected").setPredictedLabel(EVIL_LABEL).build();
        ExplanationAudit audit = ExplanationAudit.newBuilder(result.outputs().audits().get(0))
                .setEventId(EVIL_ID).setModelName("injected").build();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.saliencyOverlays(), EVIL_ID,
                    serdes.specific(SaliencyOverlay.class).serializer().serialize(topics.saliencyOverlays(), overlay)));
            producer.send(new ProducerRecord<>(topics.explanationAudit(), EVIL_ID,
                    serdes.specific(ExplanationAudit.class).serializer().serialize(topics.explanationAudit(), audit)));
            producer.send(new ProducerRecord<>(topics.saliencySummaries(), EVIL_ID,
                    serdes.specific(SaliencySummary.class).serializer().serialize(topics.saliencySummaries(), summary)));
            producer.flush();
        }
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 900));
        return driver;
    }

    private static void await(WebDriver browser, java.util.function.Function<WebDriver, Boolean> condition) {
        await(browser, Duration.ofSeconds(30), condition);
    }

    private static void await(WebDriver browser, Duration timeout, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, timeout, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class).until(condition::apply);
    }

    private static Object js(WebDriver browser, String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The page down to 1400 px: the window is stretched to the document's height first. */
    private static void screenshot(WebDriver browser, Path folder, String name) throws Exception {
        long height = (Long) js(browser, "return Math.min(1400, document.documentElement.scrollHeight)");
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.max(height + 40, 600)));
        Thread.sleep(300);
        Files.write(folder.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        browser.manage().window().setSize(before);
    }
}
