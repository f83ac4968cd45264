// The web UI in a real browser: Debian's Chromium (headless) driven by playwright-core
// against a real `docent serve` on a free loopback port. Loads the page, uploads a
// document, asks about it, watches the answer stream in with a citation, opens the cited
// passage and saves a screenshot (build/browser-artifacts/ui.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, artifacts, sharedDir, launchBrowser, openPage, tearDown } from "./lib/serve.mjs";

test("upload, ask, stream, cite and open the source in the web UI", async () => {
  const work = mkdtempSync(join(tmpdir(), "docent-ui-"));
  const doc = join(work, "remote-work.md");
  writeFileSync(doc, "# Remote work policy\n\n## Equipment\n\nEmployees who work from home receive a " +
    "monitor allowance of 300,000 KRW once every three years.\n\n## 재택근무\n\n재택근무는 주 2회까지 " +
    "신청할 수 있으며 팀장의 승인이 필요합니다.\n");
  const { child, url } = await startServer(join(work, "data"));
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser, url);
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
    // The passages read are always listed; an extractive answer is grounded (no warning).
    assert.match(await answer.locator("details.consulted summary").innerText(), /Sources consulted \(\d+\)/);
    assert.equal(await answer.locator(".warn").count(), 0);

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
    await tearDown(browser, child, work);
  }
});

// With a model whose answer cites nothing (stories260K writes nursery prose), the answer is
// marked as not grounded and the sources consulted are shown open all the same.
test("an answer that cites nothing is marked and still shows its sources", async () => {
  const work = mkdtempSync(join(tmpdir(), "docent-ui-"));
  const doc = join(work, "leave.md");
  writeFileSync(doc, "# Leave policy\n\nSick leave of more than three days requires a doctor's note.\n");
  const { child, url } = await startServer(join(work, "data"),
    ["--model", join(sharedDir, "models/stories260K.gguf"), "--answer-cache-mb", "0"]);
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser, url);
    await page.setInputFiles("#file", doc);
    await page.locator("#doclist li", { hasText: "Leave policy" }).locator(".st.ready").waitFor();
    await page.fill("#question", "Does sick leave need a doctor's note?");
    await page.press("#question", "Enter");
    const answer = page.locator(".msg.a").last();
    await answer.locator(".warn").waitFor();
    assert.match(await answer.locator(".warn").innerText(), /Not grounded/);
    assert.match(await answer.getAttribute("class"), /\bungrounded\b/);
    const consulted = answer.locator("details.consulted");
    assert.equal(await consulted.getAttribute("open"), "");
    assert.match(await consulted.locator(".chip").first().innerText(), /Leave policy/);
    assert.deepEqual(errors, []);
  } finally {
    await tearDown(browser, child, work);
  }
});
