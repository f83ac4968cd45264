// node-llama-cpp's prebuilt CPU llama.cpp as the oracle scripts load it, and the name of the
// ggml CPU library it picked (scripts/install-deps.sh pins it to the haswell build).
import {getLlama} from "node-llama-cpp";

// Resolves with {llama, cpuBuild()}: ggml names the CPU library in a message of its "log"
// level, which node-llama-cpp passes on only at logLevel "debug"; that one is kept, errors
// are passed on.
export async function loadLlama() {
  let cpuBuild = "unknown";
  const logger = (level, message) => {
    const m = /loaded CPU backend from .*libggml-cpu-([A-Za-z0-9_]+)\.so/.exec(message);
    if (m) cpuBuild = m[1];
    else if (level === "error" || level === "fatal") process.stderr.write(`${message}\n`);
  };
  const llama = await getLlama({gpu: false, build: "never", logLevel: "debug", logger});
  return {llama, cpuBuild: () => cpuBuild};
}
