// Child process: the same report as `tierwatch report DIR --by region,model --format json`, computed by
// DuckDB with read_ndjson and the same quantile definition; prints its numbers, wall time and peak RSS.
import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const dir = process.argv[2];
const started = performance.now();
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
// numpy's averaged_inverted_cdf over a sorted list (1-based): the ⌈np⌉-th value, or the mean of the np-th and next when np is whole
await con.run(`CREATE MACRO aicdf(xs, p) AS CASE
  WHEN len(xs) = 0 THEN NULL
  WHEN abs(len(xs) * p - round(len(xs) * p)) < 1e-9 * greatest(1, len(xs)) THEN
    CASE WHEN round(len(xs) * p) <= 0 THEN xs[1]
         WHEN round(len(xs) * p) >= len(xs) THEN xs[len(xs)]
         ELSE (xs[round(len(xs) * p)::BIGINT] + xs[round(len(xs) * p)::BIGINT + 1]) / 2 END
  ELSE xs[ceil(len(xs) * p)::BIGINT] END`);
const reader = await con.runAndReadAll(`
  WITH g AS (
    SELECT region, model,
      count(*) AS attempts,
      count(*) FILTER (WHERE status = 'skipped') AS skipped,
      count(*) FILTER (WHERE status = 'ok') AS ok,
      list_sort(list(latency_ms) FILTER (WHERE status = 'ok' AND latency_ms IS NOT NULL)) AS lat,
      list_sort(list(ttft_ms) FILTER (WHERE status = 'ok' AND ttft_ms IS NOT NULL)) AS ttft
    FROM read_ndjson('${dir}/*.jsonl', columns = {region: 'VARCHAR', model: 'VARCHAR', status: 'VARCHAR', kind: 'VARCHAR', latency_ms: 'DOUBLE', ttft_ms: 'DOUBLE'})
    WHERE kind IS DISTINCT FROM 'chain'
    GROUP BY region, model)
  SELECT region, model, attempts, attempts - skipped AS sent, ok,
    aicdf(lat, 0.5) AS p50_ms, aicdf(lat, 0.95) AS p95_ms, aicdf(lat, 0.99) AS p99_ms,
    aicdf(ttft, 0.5) AS ttft_p50_ms, aicdf(ttft, 0.95) AS ttft_p95_ms
  FROM g ORDER BY region, model`);
const rows = reader.getRowObjectsJson();
const wallMs = performance.now() - started;
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
process.stdout.write(JSON.stringify({ wallMs, hwm, rows }));
