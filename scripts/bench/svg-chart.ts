/**
 * @module The lookup chart: ns per lookup against route count, both axes logarithmic, one line per router, the
 * targets as markers. Plain SVG text, no dependency, readable on GitHub.
 */

export interface ChartSeries {
  name: string;
  /** `null` ns: the router failed or timed out at that size (drawn as a cross on the top edge). */
  points: { x: number; ns: number | null }[];
}

export interface ChartTarget {
  x: number;
  ns: number;
  label: string;
}

const WIDTH = 760;
const HEIGHT = 460;
const MARGIN = { left: 70, right: 190, top: 40, bottom: 55 };
const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function decadesAround(values: number[]): [number, number] {
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.ceil(Math.log10(Math.max(...values)));
  return [lo, hi === lo ? hi + 1 : hi];
}

function formatNs(ns: number): string {
  return ns >= 1e6 ? `${ns / 1e6} ms` : ns >= 1e3 ? `${ns / 1e3} µs` : `${ns} ns`;
}

export function lookupChart(title: string, series: ChartSeries[], targets: ChartTarget[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [
    ...series.flatMap((s) => s.points.flatMap((p) => (p.ns === null ? [] : [p.ns]))),
    ...targets.map((t) => t.ns),
  ];
  if (xs.length === 0 || ys.length === 0) throw new Error("nothing to chart");
  const [x0, x1] = decadesAround(xs);
  const [y0, y1] = decadesAround(ys);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW;
  const py = (ns: number): number => MARGIN.top + plotH - ((Math.log10(ns) - y0) / (y1 - y0)) * plotH;
  const f = (n: number): string => n.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let d = x0; d <= x1; d++) {
    const x = px(10 ** d);
    out.push(`<line x1="${f(x)}" y1="${MARGIN.top}" x2="${f(x)}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    out.push(
      `<text x="${f(x)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${(10 ** d).toLocaleString("en-US")}</text>`,
    );
  }
  for (let d = y0; d <= y1; d++) {
    const y = py(10 ** d);
    out.push(`<line x1="${MARGIN.left}" y1="${f(y)}" x2="${MARGIN.left + plotW}" y2="${f(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${f(y + 4)}" text-anchor="end">${formatNs(10 ** d)}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">routes in the table (log scale)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">ns per lookup, median (log scale)</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const width = i === 0 ? 3 : 1.8;
    const ok = s.points.filter((p): p is { x: number; ns: number } => p.ns !== null).sort((a, b) => a.x - b.x);
    if (ok.length > 1) {
      const d = ok.map((p, j) => `${j === 0 ? "M" : "L"}${f(px(p.x))},${f(py(p.ns))}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"/>`);
    }
    for (const p of ok) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.ns))}" r="3.5" fill="${color}"/>`);
    for (const p of s.points.filter((q) => q.ns === null)) {
      const x = px(p.x);
      const y = MARGIN.top + 8;
      out.push(
        `<path d="M${f(x - 5)},${f(y - 5)} L${f(x + 5)},${f(y + 5)} M${f(x - 5)},${f(y + 5)} L${f(x + 5)},${f(y - 5)}" stroke="${color}" stroke-width="2.5"/>`,
      );
    }
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + plotW + 14;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="${width}"/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  const legendBase = MARGIN.top + 10 + series.length * 20;
  for (const t of targets) {
    const x = px(t.x);
    const y = py(t.ns);
    out.push(
      `<path d="M${f(x - 7)},${f(y)} L${f(x + 7)},${f(y)}" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>`,
    );
  }
  if (targets.length > 0) {
    const lx = MARGIN.left + plotW + 14;
    out.push(
      `<path d="M${lx},${legendBase} L${lx + 22},${legendBase}" stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>`,
    );
    out.push(`<text x="${lx + 28}" y="${legendBase + 4}">target</text>`);
  }
  if (series.some((s) => s.points.some((p) => p.ns === null))) {
    out.push(`<text x="${MARGIN.left + plotW + 14}" y="${legendBase + 22}">× = failed / timed out</text>`);
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
