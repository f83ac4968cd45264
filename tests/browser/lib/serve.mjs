// Starts `docent serve` on a free loopback port for a browser test; resolves with the child
// and its base URL ("http://127.0.0.1:PORT/") once the server prints the address.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const docent = process.env.DOCENT_BINARY || join(root, "build/docent");
export const artifacts = join(root, "build/browser-artifacts");

export function startServer(dataDir) {
  const child = spawn(docent, ["serve", "--port", "0", "--data", dataDir], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const m = line.match(/serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error("docent serve exited with " + code)));
  });
}
