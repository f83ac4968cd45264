// Starts `docent serve` on a free loopback port for a benchmark: resolves with the child
// process and its base URL once the server prints the address it serves on; rejects if the
// process exits first. `args` are serve's arguments after `serve` (--port 0 is added).
import {spawn} from "node:child_process";

export async function startServer(docent, args) {
  const server = spawn(docent, ["serve", "--port", "0", ...args],
                       {stdio: ["ignore", "pipe", "inherit"]});
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

// Sends SIGTERM and waits for the process to end.
export async function stopServer(server) {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.on("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}
