// The web UI in a real browser: Debian's Chromium (headless) driven by playwright-core
// against a real `docent serve` on a free loopback port. Loads the page, uploads a
// document, asks about it, watches the answer stream in with a citation, opens the cited
// passage and saves a screenshot (build/browser-artifacts/ui.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startServer, artifacts } from "./lib/serve.mjs";

test("upload, ask, stream, cite and open the source in the web UI", async () => {
  const work = mkdtempSync(join(tmpdir(), "docent-ui-"));
  const doc = join(work, "remote-work.md");
  writeFileSync(doc, "# Remote work policy\n\n## Equipment\n\nEmployees who work from home receive a " +
    "monitor allowance of 300,000 KRW once every three years.\n\n## 재택근무\n\n재택근무는 주 2회까지 " +
    "신청할 수 있으며 팀장의 승인이 필요합니다.\n");
  const { child, url } = await startServer(join(work, "data"));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    assert.equal(await page.title(), "docent");

    await page.setInputFiles("#file", doc);
    const row = page.locator("#doclist li", { hasText: "Remote work policy" });
    await row.locator(".st.ready").waitFor();

    await page.fill("#question", "재택근무는 주 몇 회까지 신청할 수 있나요?");
    await page.press("#question", "Enter");
    const answer = page.locator(".msg.a").last();
    const chip = answer.locator(".chip").first();
    await chip.waitFor();
    const text = await answer.locator(".text").innerText();
    assert.match(text, /주 2회까지/);
    assert.match(text, /\[\d+\]/);
    assert.match(await chip.innerText(), /Remote work policy/);

    await chip.click();
    await page.locator("#source.open").waitFor();
    assert.match(await page.locator("#source-title").innerText(), /Remote work policy/);
    const marked = await page.locator("#source-body mark").innerText();
    assert.match(marked, /재택근무는 주 2회까지/);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "ui.png") });
    await page.keyboard.press("Escape");

    // A question the document does not answer is shown as such.
    await page.fill("#question", "What is the cafeteria menu on Friday?");
    await page.press("#question", "Enter");
    await page.locator(".msg.a.notfound").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
    rmSync(work, { recursive: true, force: true });
  }
});
