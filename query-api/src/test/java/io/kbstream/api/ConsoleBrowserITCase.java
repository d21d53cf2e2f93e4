package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.jobs.testing.PipelineRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console at {@code /} in a real headless chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, installed by {@code scripts/install-prereqs.sh}), in front of a real API and
 * the real indexing job: a file picked and a file dropped are uploaded, their rows turn INDEXED
 * from the WebSocket alone (the page is never reloaded) and a broken PDF's turns FAILED with its
 * reason; search finds them in each mode and by metadata, and a delete removes a document from the
 * results. A screenshot of the console is left in {@code target/console.png} (the README's {@code
 * docs/console.png} is a copy of it).
 */
class ConsoleBrowserITCase {

    /** Debian's paths; no driver or browser is ever downloaded. */
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private static final String CHROMIUM = "/usr/bin/chromium";

    /** Upload to INDEXED through the real pipeline, generous for a loaded machine. */
    private static final Duration INDEXED_WITHIN = Duration.ofSeconds(180);

    private static final Duration UI_WITHIN = Duration.ofSeconds(30);

    private static ApiUnderTest api;
    private static PipelineRunner pipeline;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiUnderTest();
        pipeline = PipelineRunner.start(api.config);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: the suite may run as root, where chromium refuses its sandbox
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,900");
        browser =
                new ChromeDriver(
                        new ChromeDriverService.Builder()
                                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                                .usingAnyFreePort()
                                .build(),
                        options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
        }
        api.close();
    }

    @Test
    void console_uploads_picked_and_dropped_files_sees_them_indexed_live_and_finds_them()
            throws Exception {
        browser.get("http://127.0.0.1:" + api.server.port() + "/");
        // a marker that a reload would erase: statuses must arrive without one
        js("window.kbNotReloaded = true;");
        browser.findElement(By.id("api-key")).sendKeys(api.keyA);
        browser.findElement(By.id("connect")).click();
        waitUntil(UI_WITHIN, () -> text(By.id("connection")).equals("live: " + api.tenantA));

        browser.findElement(By.id("upload-metadata")).sendKeys("shelf=animals");
        Path picked = Files.createTempDirectory("kb-console").resolve("quokka.md");
        Files.writeString(
                picked,
                "# Quokka\n\nThe quokka is a small marsupial that lives on Rottnest Island.\n");
        browser.findElement(By.id("file-input")).sendKeys(picked.toString());
        String pickedId = awaitRow("quokka.md");
        // the drop zone's handler, given a file the way a drag from the desktop delivers it
        js(
                "const t = new DataTransfer();"
                        + "t.items.add(new File(['Axolotls regenerate lost limbs and organs.'],"
                        + " 'axolotl.txt', {type: 'text/plain'}));"
                        + "document.getElementById('drop-zone').dispatchEvent("
                        + "new DragEvent('drop', {dataTransfer: t, bubbles: true}));");
        String droppedId = awaitRow("axolotl.txt");
        Path broken = picked.resolveSibling("broken.pdf");
        Files.writeString(broken, "%PDF-1.7 this is not a PDF after all");
        browser.findElement(By.id("file-input")).sendKeys(broken.toString());
        String brokenId = awaitRow("broken.pdf");

        waitUntil(INDEXED_WITHIN, () -> status(pickedId).equals("INDEXED"));
        waitUntil(INDEXED_WITHIN, () -> status(droppedId).equals("INDEXED"));
        waitUntil(INDEXED_WITHIN, () -> status(brokenId).equals("FAILED"));
        assertThat(cell(brokenId, 4)).as("the reason").isNotBlank();
        assertThat(cell(pickedId, 3)).as("chunks").isEqualTo("1");
        assertThat(js("return window.kbNotReloaded === true;")).isEqualTo(true);

        // the document list from GET /v1/documents: the FAILED one only, then all, in id order
        new Select(browser.findElement(By.id("list-status"))).selectByValue("FAILED");
        browser.findElement(By.id("list")).click();
        waitUntil(UI_WITHIN, () -> rowIds().equals(List.of(brokenId)));
        assertThat(cell(brokenId, 4)).as("the listed reason").isNotBlank();
        new Select(browser.findElement(By.id("list-status"))).selectByValue("");
        browser.findElement(By.id("list")).click();
        waitUntil(UI_WITHIN, () -> rowIds().size() == 3);
        assertThat(rowIds()).containsExactlyInAnyOrder(pickedId, droppedId, brokenId).isSorted();
        assertThat(status(pickedId)).isEqualTo("INDEXED");
        assertThat(cell(pickedId, 1)).isEqualTo("quokka.md");
        assertThat(cell(pickedId, 3)).as("listed chunks").isEqualTo("1");

        assertThat(search("marsupial on Rottnest", "keyword", "")).containsExactly(pickedId);
        assertThat(search("regrowing lost limbs", "vector", "")).first().isEqualTo(droppedId);
        assertThat(search("quokka island", "hybrid", "shelf=animals")).first().isEqualTo(pickedId);
        assertThat(search("quokka island", "hybrid", "shelf=plants")).isEmpty();
        assertThat(text(By.cssSelector("#results"))).isEmpty();
        search("quokka marsupial", "hybrid", "");
        assertThat(text(By.cssSelector("#results .snippet"))).contains("Rottnest Island");
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "console.png"), StandardCopyOption.REPLACE_EXISTING);

        row(droppedId).findElement(By.cssSelector("button.delete")).click();
        waitUntil(INDEXED_WITHIN, () -> status(droppedId).equals("DELETED"));
        assertThat(search("axolotl limbs", "keyword", "")).isEmpty();
        assertThat(search("quokka", "keyword", "")).containsExactly(pickedId);
    }

    /** Runs a search from the form and returns the result ids in order, once it has answered. */
    private static List<String> search(String query, String mode, String filters) {
        js("document.getElementById('search-info').textContent = '';");
        WebElement q = browser.findElement(By.id("query"));
        q.clear();
        q.sendKeys(query);
        new Select(browser.findElement(By.id("mode"))).selectByValue(mode);
        WebElement f = browser.findElement(By.id("filters"));
        f.clear();
        f.sendKeys(filters);
        browser.findElement(By.id("search")).click();
        waitUntil(UI_WITHIN, () -> text(By.id("search-info")).contains("result(s)"));
        assertThat(text(By.id("search-info"))).doesNotContain("PARTIAL");
        return browser.findElements(By.cssSelector("#results li.result")).stream()
                .map(e -> e.getAttribute("data-id"))
                .toList();
    }

    /** The id of the row whose title is {@code title}, once the upload made one. */
    private static String awaitRow(String title) {
        By byTitle =
                By.xpath("//table[@id='documents']//tr[td[2][normalize-space()='" + title + "']]");
        waitUntil(UI_WITHIN, () -> !browser.findElements(byTitle).isEmpty());
        return browser.findElement(byTitle).getAttribute("data-id");
    }

    private static List<String> rowIds() {
        return browser.findElements(By.cssSelector("#documents tbody tr")).stream()
                .map(e -> e.getAttribute("data-id"))
                .toList();
    }

    private static WebElement row(String id) {
        return browser.findElement(By.cssSelector("#documents tr[data-id='" + id + "']"));
    }

    private static String status(String id) {
        return cell(id, 2);
    }

    private static String cell(String id, int column) {
        return row(id).findElements(By.tagName("td")).get(column).getText();
    }

    private static String text(By by) {
        return browser.findElement(by).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static void waitUntil(Duration within, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, within, Duration.ofMillis(200))
                .until(driver -> condition.getAsBoolean());
    }
}
