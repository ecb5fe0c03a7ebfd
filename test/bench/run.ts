// npm run bench [name...]: runs the benchmarks (never part of npm test) and prints their results.
import { alertWindow } from "./alertWindow.js";
import { engineOverhead } from "./engineOverhead.js";
import { gateVsReport } from "./gateVsReport.js";
import { monitorSoak } from "./monitorSoak.js";
import { probeOverhead } from "./probeOverhead.js";
import { readerBench } from "./readerBench.js";
import { replayBench } from "./replayBench.js";
import { reportVsDuckdb } from "./reportVsDuckdb.js";
import { roundOf50 } from "./roundOf50.js";

const BENCHES: Record<string, () => Promise<string>> = {
  "probe-overhead": () => probeOverhead(),
  "round-of-50": () => roundOf50(),
  "engine-overhead": () => engineOverhead(),
  "monitor-soak": () => monitorSoak(),
  replay: () => replayBench(),
  reader: () => readerBench(),
  "report-1m": () => reportVsDuckdb(1_000_000),
  "report-10m": () => reportVsDuckdb(10_000_000),
  "gate-1m": () => gateVsReport(1_000_000),
  "alert-window": () => alertWindow(),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; choose from ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
  const started = performance.now();
  console.log(`# ${name}\n${await bench()}\n  (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
