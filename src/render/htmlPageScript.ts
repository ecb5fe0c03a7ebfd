// The HTML report's own script, run by the browser: draws the charts with uPlot from the data the page
// carries, and leaves a description of what it drew in window.__tierwatch (what the browser test reads).
// Plain ES2020, no imports: the page works from a file, offline.
export const HTML_PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tierwatch-data").textContent);
  var series = data.series;
  var xs = series.buckets.map(function (iso) { return Date.parse(iso) / 1000; });
  var drawn = [];
  var palette = ["#3b82f6", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#868e96"];
  var pct = function (v) { return v == null ? "-" : (v * 100).toFixed(1) + "%"; };
  var ms = function (v) { return v == null ? "-" : Math.round(v) + " ms"; };
  var nonNull = function (a) { return a.some(function (v) { return v != null; }); };

  function chart(container, id, title, lines, opts) {
    var card = document.createElement("div");
    card.className = "card";
    card.id = id;
    var h = document.createElement("h3");
    h.textContent = title;
    card.appendChild(h);
    container.appendChild(card);
    var width = Math.max(320, Math.min(560, card.clientWidth - 20 || 540));
    var s = [{}].concat(lines.map(function (l, i) {
      return { label: l.label, stroke: l.color || palette[i % palette.length], width: l.width || 1.5, dash: l.dash, value: function (u, v) { return opts.fmt(v); }, spanGaps: false, points: { show: true, size: 3 } };
    }));
    var u = new uPlot({
      width: width,
      height: 190,
      series: s,
      bands: opts.bands,
      scales: opts.range ? { y: { range: opts.range } } : {},
      axes: [{ stroke: "currentColor" }, { stroke: "currentColor", values: function (u, vals) { return vals.map(opts.axis || opts.fmt); }, size: 60 }],
      legend: { live: true },
    }, [xs].concat(lines.map(function (l) { return l.values; })), card);
    card.setAttribute("role", "img");
    card.setAttribute("aria-label", title + ": " + lines.map(function (l) { return l.label; }).join(", ") + " over " + xs.length + " buckets");
    drawn.push({ id: id, title: title, series: u.series.length - 1, points: u.data[0].length, labels: lines.map(function (l) { return l.label; }) });
  }

  var groupCharts = document.getElementById("group-charts");
  series.groups.forEach(function (g, k) {
    var name = "tier " + (g.tier == null ? "-" : g.tier) + " · " + (g.model == null ? "-" : g.model);
    chart(groupCharts, "success-" + k, name + ": success rate with its 95% interval", [
      { label: "success", values: g.success_rate, width: 2 },
      { label: "95% high", values: g.success_hi, color: "rgba(59,130,246,0.35)", width: 1 },
      { label: "95% low", values: g.success_lo, color: "rgba(59,130,246,0.35)", width: 1 },
    ].concat(nonNull(g.gateway_fallback_rate) && g.gateway_fallback_rate.some(function (v) { return v > 0; }) ? [{ label: "gateway fallback", values: g.gateway_fallback_rate, color: "#e8590c" }] : []), {
      fmt: pct, axis: function (v) { return Math.round(v * 100) + "%"; }, range: [0, 1], bands: [{ series: [2, 3], fill: "rgba(59,130,246,0.15)" }],
    });
    var lat = [
      { label: "p50", values: g.p50_ms },
      { label: "p95", values: g.p95_ms, width: 2 },
      { label: "p99", values: g.p99_ms },
    ];
    if (nonNull(g.ttft_p50_ms)) lat.push({ label: "TTFT p50", values: g.ttft_p50_ms, dash: [4, 3] });
    chart(groupCharts, "latency-" + k, name + ": latency over ok answers", lat, { fmt: ms });
  });

  var chainCharts = document.getElementById("chain-charts");
  series.chains.forEach(function (c, k) {
    var lines = [
      { label: "fallback activation", values: c.fallback_activation_rate, width: 2 },
      { label: "app", values: c.app_fallback_rate, dash: [4, 3] },
    ];
    if (c.gateway_fallback_rate.some(function (v) { return v > 0; })) lines.push({ label: "gateway", values: c.gateway_fallback_rate, dash: [2, 2] });
    lines.push({ label: "exhausted", values: c.exhaustion_rate, color: "#c92a2a" });
    chart(chainCharts, "chain-" + k, "chain " + c.chain + ": fallback activation", lines, { fmt: pct, axis: function (v) { return Math.round(v * 100) + "%"; }, range: [0, 1] });
    var tiers = Object.keys(c.served_share).sort(function (a, b) { return a - b; });
    chart(chainCharts, "served-" + k, "chain " + c.chain + ": which tier served", tiers.map(function (t) { return { label: "tier " + t, values: c.served_share[t] }; }), {
      fmt: pct, axis: function (v) { return Math.round(v * 100) + "%"; }, range: [0, 1],
    });
  });
  window.__tierwatch = { charts: drawn, buckets: xs.length, ready: true };
})();
`;
