// Build step (npm run build, after tsc): assembles the WebAssembly text modules under src/ into dist/src/,
// beside the compiled JavaScript that loads them. Run from the package's directory; wabt is a dev dependency.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import wabtInit from "wabt";

const MODULES = ["src/store/scanLayout.wat", "src/analysis/quantilesByHistogram.wat"];

const wabt = await wabtInit();
for (const source of MODULES) {
  let parsed: ReturnType<typeof wabt.parseWat> | undefined;
  try {
    parsed = wabt.parseWat(source, readFileSync(source, "utf8"), { simd: true });
    parsed.validate();
    writeFileSync(path.join("dist", source.replace(/\.wat$/, ".wasm")), parsed.toBinary({}).buffer);
  } catch (err) {
    // wabt's own stack points into its minified source: the message says where in the .wat
    process.stderr.write(`assembleWasm: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    parsed?.destroy();
  }
}
