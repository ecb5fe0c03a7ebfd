// Build step (npm run build, after tsc): assembles the WebAssembly text modules under src/ into dist/src/,
// beside the compiled JavaScript that loads them. Run from the package's directory; wabt is a dev dependency.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import wabtInit from "wabt";

const MODULES = ["src/store/scanLayout.wat"];

const wabt = await wabtInit();
for (const source of MODULES) {
  const parsed = wabt.parseWat(source, readFileSync(source, "utf8"), { simd: true });
  try {
    parsed.validate();
    const out = path.join("dist", source.replace(/\.wat$/, ".wasm"));
    writeFileSync(out, parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}
