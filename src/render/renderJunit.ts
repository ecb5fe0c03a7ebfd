import type { Verdict } from "../gate/evaluateThresholds.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** JUnit XML: one testcase per threshold; a failed one carries the measured value, a too-small sample is skipped. */
export function renderJunit(verdicts: readonly Verdict[], timestamp: string, seconds: number): string {
  const failures = verdicts.filter((v) => v.verdict === "fail").length;
  const skipped = verdicts.filter((v) => v.verdict === "insufficient").length;
  const cases = verdicts.map((v) => {
    const open = `    <testcase classname="tierwatch.gate" name="${esc(v.threshold)}" time="0">`;
    if (v.verdict === "fail") return `${open}\n      <failure message="${esc(v.message)}" type="threshold">${esc(v.message)}</failure>\n    </testcase>`;
    if (v.verdict === "insufficient") return `${open}\n      <skipped message="${esc(v.message)}"/>\n    </testcase>`;
    return `${open}\n      <system-out>${esc(v.message)}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tierwatch gate" tests="${verdicts.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="tierwatch gate" tests="${verdicts.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${timestamp}" time="${seconds.toFixed(3)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
