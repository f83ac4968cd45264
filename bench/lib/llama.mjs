// node-llama-cpp's llama.cpp for the benchmarks that time it (llamacpp_speed.mjs,
// llamacpp_embed_speed.mjs): the CPU library only, no build, exactly the threads asked for, and
// the name of the ggml CPU build it loaded.
//
// ggml names the CPU library it picked in a message of its "log" level, which node-llama-cpp
// passes on only at logLevel "debug"; that one is kept, errors are passed on.
export async function loadCpuLlama(getLlama) {
  const state = {cpuBuild: "unknown"};
  const logger = (level, message) => {
    const m = /loaded CPU backend from .*libggml-cpu-([A-Za-z0-9_]+)\.so/.exec(message);
    if (m) state.cpuBuild = m[1];
    else if (level === "error" || level === "fatal") process.stderr.write(`${message}\n`);
  };
  // maxThreads 0: a context's `threads` is then exactly the number used, not a hint.
  const llama = await getLlama({gpu: false, build: "never", logLevel: "debug", logger,
                                maxThreads: 0});
  return {llama, cpuBuild: () => state.cpuBuild};
}
