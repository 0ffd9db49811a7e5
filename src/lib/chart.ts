/**
 * SVG charts from Vega-Lite specs, rendered headless (no browser, no canvas).
 * vega and vega-lite are ES modules with top-level await, which `require` cannot load; this
 * CommonJS project therefore loads them through a real dynamic `import()` that TypeScript
 * must not rewrite into `require`.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

/** A Vega-Lite top-level spec (typed loosely: vega-lite's own types are ESM-only). */
export type VegaLiteSpec = Record<string, unknown>;

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([importEsm("vega-lite"), importEsm("vega")]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  return view.toSVG();
}

/**
 * The x axis of every daily time-series chart: UTC year-month labels. Vega's default multi-format
 * labels yearly ticks on a long series with month names only ("October, October, ..."), which
 * reads as nothing.
 */
export const DATE_AXIS = { format: "%Y-%m", labelOverlap: true } as const;
