// Starts `docent serve` on a free loopback port for a benchmark: resolves with the child
// process and its base URL once the server prints the address it serves on; rejects if the
// process exits first. `args` are serve's arguments after `serve` (--port 0 is added unless
// they name a port). With `cpu`, the server is pinned to that core (taskset).
import {spawn, spawnSync} from "node:child_process";
import {existsSync, mkdirSync} from "node:fs";
import {join} from "node:path";

export async function startServer(docent, args, {cpu} = {}) {
  const serveArgs = ["serve", ...(args.includes("--port") ? [] : ["--port", "0"]), ...args];
  const argv = cpu === undefined ? [docent, ...serveArgs]
                                 : ["taskset", "-c", String(cpu), docent, ...serveArgs];
  const server = spawn(argv[0], argv.slice(1), {stdio: ["ignore", "pipe", "inherit"]});
  const base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[0-9.]+:[0-9]+)/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`docent serve exited with ${code}`)));
  });
  return {server, base};
}

// Sends `signal` (SIGTERM: a graceful stop) and waits for the process to end.
export async function stopServer(server, signal = "SIGTERM") {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.on("exit", resolve));
  server.kill(signal);
  await exited;
}

// build/bench-models/SHAPE-TYPE.gguf under `root`, written by `docent synth-model` the first
// time it is asked for (random weights in a real model's shape).
export function syntheticModel(docent, root, shape, type, log = console.error) {
  const cache = join(root, "build/bench-models");
  const model = join(cache, `${shape}-${type}.gguf`);
  if (!existsSync(model)) {
    mkdirSync(cache, {recursive: true});
    log(`writing ${model}`);
    const r = spawnSync(docent, ["synth-model", "--shape", shape, "--type", type, "-o", model],
                        {stdio: "inherit"});
    if (r.status !== 0) throw new Error(`docent synth-model --shape ${shape} failed`);
  }
  return model;
}
