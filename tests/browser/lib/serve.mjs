// Starts `docent serve` on a free loopback port for a browser test; resolves with the child
// and its base URL ("http://127.0.0.1:PORT/") once the server prints the address.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const docent = process.env.DOCENT_BINARY || join(root, "build/docent");
export const artifacts = join(root, "build/browser-artifacts");

export const sharedDir = process.env.DOCENT_SHARED || join(root, "../shared");

export function startServer(dataDir, extraArgs = []) {
  const child = spawn(docent, ["serve", "--port", "0", "--data", dataDir, ...extraArgs],
    { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = line.match(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error("docent serve exited with " + code)));
  });
}

// Debian's Chromium, headless, as every browser test drives it.
export function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

// A page of the UI at `url`, and the script errors it raises (a test ends expecting none).
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

// Closes the browser, stops the server and removes the test's folder.
export async function tearDown(browser, child, work) {
  await browser.close();
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  rmSync(work, { recursive: true, force: true });
}
