/** The page's stylesheet: system fonts, WCAG AA contrast, tables that scroll sideways on a phone. */
export const STYLE = `
:root{--fg:#1a1a1a;--muted:#4a4a4a;--line:#d0d0d0;--bg:#fff;--alt:#f5f7fa;--link:#0b57a4;--ok:#0f6b3a;--bad:#a3161b}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:0 16px}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:16px 0 4px}h2{font-size:1.4rem;margin:32px 0 8px;border-top:2px solid var(--fg);padding-top:12px}
h2 small{font-weight:400;color:var(--muted);font-size:1rem}h3{font-size:1.15rem;margin:24px 0 8px}h4{margin:16px 0 4px}
a{color:var(--link)}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:8px 0 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:8px;margin:8px 0}
.cards div{background:var(--alt);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.cards dt{font-size:.8rem;color:var(--muted)}.cards dd{margin:2px 0 0;font-weight:600;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:8px 0}
table{border-collapse:collapse;min-width:100%;font-size:.9rem}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{background:var(--alt);font-weight:600}
table.num td{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:last-child th{font-weight:600}
.source,.note,figcaption{color:var(--muted);font-size:.85rem}
.sample{display:inline-block;background:#fff3cd;color:#6b4200;border:1px solid #b8860b;border-radius:4px;padding:0 6px;font-weight:700;font-size:.8rem;letter-spacing:.04em}
.state.ok{color:var(--ok)}.state.bad{color:var(--bad)}
figure.chart{margin:12px 0;overflow-x:auto}
figure.chart svg{max-width:100%;height:auto;display:block}
code{font-size:.9em}
@media (max-width:600px){body{font-size:15px}h1{font-size:1.3rem}th,td{padding:3px 6px}}
`;
