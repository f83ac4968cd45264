// Shared by the openai-client tests: a real `docent serve` on a free loopback port in a child
// process (as tests/support/server_fixture.cc starts one for the C++ tests), an openai client
// for it, and the few raw HTTP calls the client has no method for (/metrics, uploads).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const docent = process.env.DOCENT_BINARY || join(root, "build/docent");
// The shared data directory beside the checkout, as SharedDir() (tests/support/temp_dir.cc)
// and `docent synth-model` find it; $DOCENT_SHARED overrides it, as for synth-model.
export const shared = process.env.DOCENT_SHARED || resolve(root, "../shared");
export const stories = join(shared, "models/stories260K.gguf");

// A fresh temporary directory, removed by the returned function.
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs `docent ARGS...` to the end; rejects unless it exits 0.
export function runDocent(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(docent, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise(output) : reject(new Error(`docent ${args.join(" ")} exited with ${code}: ${output}`)),
    );
  });
}

// Starts `docent serve --data DIR/data --port 0 ARGS...` and resolves once it prints its
// "serving http://127.0.0.1:PORT/" line (lines before it, such as the model it loaded, are
// skipped). stop() sends SIGTERM and resolves with the exit code.
export function startServer(dataDir, args = []) {
  const child = spawn(docent, ["serve", "--data", dataDir, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal)));
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    let serving = false;
    lines.on("line", (line) => {
      const m = line.match(/serving (http:\/\/127\.0\.0\.1:(\d+))\//);
      if (!m || serving) return;
      serving = true;
      const url = m[1];
      resolvePromise({
        url,
        port: Number(m[2]),
        client: new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 }),
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
    child.on("error", reject);
    exited.then((code) => {
      if (!serving) reject(new Error(`docent serve ${args.join(" ")} exited with ${code} before serving`));
    });
  });
}

// For a test file: a temporary directory, and serve(ARGS) starting a server with its data
// in it. All are stopped together after the file's tests (and must exit 0), because a server
// that still has a client's idle keep-alive connections open takes ~3 s to stop.
export function serverPool(prefix) {
  const work = tempDir(prefix);
  const servers = [];
  after(async () => {
    const codes = await Promise.all(servers.map((s) => s.stop()));
    work.remove();
    assert.deepEqual(codes, servers.map(() => 0), "docent serve exits 0 on SIGTERM");
  });
  return {
    dir: work.dir,
    serve: async (args) => {
      const server = await startServer(join(work.dir, `data-${servers.length}`), args);
      servers.push(server);
      return server;
    },
  };
}

// One sample of /metrics, e.g. metric(url, "docent_generation_cancelled_total").
export async function metric(url, name) {
  const body = await (await fetch(`${url}/metrics`)).text();
  const m = body.match(new RegExp(`^${name} (\\S+)$`, "m"));
  if (!m) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

// Polls /metrics until `name` satisfies `ok`, for at most `ms`; resolves with the value.
// For conditions only the server can report (a request waiting in its queue).
export async function waitForMetric(url, name, ok, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await metric(url, name);
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${name} stayed at ${value} for ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

// POST /v1/documents?wait=true with each {name, text} as a "file" part; the upload entries.
export async function upload(url, files) {
  const form = new FormData();
  for (const f of files) form.append("file", new Blob([f.text], { type: "text/plain" }), f.name);
  const res = await fetch(`${url}/v1/documents?wait=true`, { method: "POST", body: form });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
  for (const u of body.uploads) {
    if (u.status !== "ready") throw new Error(`upload of ${u.name} ended ${u.status}: ${u.error}`);
  }
  return body.uploads;
}
