// The web UI's workspace picker in Debian's Chromium against a real `docent serve`: the
// picker lists the workspaces, every request the page makes names the chosen one (asks,
// the document list, uploads), and switching shows the other team's documents and answers
// only there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launchBrowser, tearDown } from "./lib/serve.mjs";

test("the workspace picker scopes asks, the document list and uploads", async () => {
  const work = mkdtempSync(join(tmpdir(), "docent-ws-ui-"));
  const { child, url } = await startServer(join(work, "data"));
  const browser = await launchBrowser();
  try {
    for (const name of ["fin", "hr"]) {
      const r = await fetch(url + "v1/workspaces", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) });
      assert.equal(r.status, 201);
    }
    const form = new FormData();
    form.append("workspace", "fin");
    form.append("file", new Blob(["# Budget\n\nThe travel budget is 40000 EUR a year.\n"]), "budget.md");
    assert.equal((await fetch(url + "v1/documents?wait=true", { method: "POST", body: form })).status, 200);

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const requests = [];
    page.on("request", (r) => { if (r.url().includes("/v1/")) requests.push(r); });
    await page.goto(url);
    const picker = page.locator("#workspace");
    await picker.locator("option[value=hr]").waitFor({ state: "attached" });
    assert.deepEqual(await picker.locator("option").allInnerTexts(), ["default", "fin", "hr"]);

    // hr: upload through the page, then a question only fin's documents answer.
    await picker.selectOption("hr");
    const doc = join(work, "leave.md");
    writeFileSync(doc, "# Leave policy\n\nEvery employee receives 15 days of annual leave per year.\n");
    await page.setInputFiles("#file", doc);
    await page.locator("#doclist li", { hasText: "Leave policy" }).locator(".st.ready").waitFor();
    assert.equal(await page.locator("#doclist li", { hasText: "Budget" }).count(), 0);
    await page.fill("#question", "What is the travel budget?");
    await page.press("#question", "Enter");
    await page.locator(".msg.a.notfound").waitFor();

    // fin: its own document and its answer; hr's document is not listed.
    await picker.selectOption("fin");
    await page.locator("#doclist li", { hasText: "Budget" }).waitFor();
    assert.equal(await page.locator("#doclist li", { hasText: "Leave policy" }).count(), 0);
    assert.equal(await page.locator(".msg").count(), 0, "switching clears the conversation");
    await page.fill("#question", "What is the travel budget?");
    await page.press("#question", "Enter");
    const answer = page.locator(".msg.a").last();
    await answer.locator(".chip").first().waitFor();
    assert.match(await answer.locator(".text").innerText(), /40000/);

    // Every request named its workspace the way the API takes it.
    const asks = requests.filter((r) => r.url().endsWith("/v1/ask"));
    assert.deepEqual(asks.map((r) => JSON.parse(r.postData()).workspace), ["hr", "fin"]);
    const lists = requests.filter((r) => r.method() === "GET" && r.url().includes("/v1/documents"));
    assert.ok(lists.some((r) => r.url().endsWith("?workspace=hr")));
    assert.ok(lists.some((r) => r.url().endsWith("?workspace=fin")));
    const uploads = requests.filter((r) => r.method() === "POST" && r.url().endsWith("/v1/documents"));
    assert.equal(uploads.length, 1);
    // (The browser does not expose a multipart body with a file; the server says where it went.)
    const hr = await (await fetch(url + "v1/documents?workspace=hr")).json();
    assert.deepEqual(hr.documents.map((d) => d.source), ["upload:leave.md"]);

    // The choice is remembered across a reload.
    await page.reload();
    await page.locator("#doclist li", { hasText: "Budget" }).waitFor();
    assert.equal(await picker.inputValue(), "fin");
    assert.deepEqual(errors, []);
  } finally {
    await tearDown(browser, child, work);
  }
});
