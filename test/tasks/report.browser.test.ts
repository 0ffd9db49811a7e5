/**
 * `npx hardhat report` end to end (issue 12): the in-process chain runs the demo's sample scenario, the
 * task writes the page, and a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * renders it. Checks: every chart drew data marks, no console error and no failed request, each holdings
 * table sums to its NAV within the cent rounding of its rows, the page fits a phone's width; the
 * screenshots are kept under out/test-artefacts/ (gitignored).
 *
 * CI needs `apt-get install -y chromium`; without /usr/bin/chromium this file says so and skips.
 */
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { chromium, type Browser, type Page } from "playwright-core";
import { runTask } from "./fixtures";

const ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(ROOT, "out", "test-artefacts", "report");
const CHROMIUM = "/usr/bin/chromium";
const RECORD = path.join(ROOT, "deployments", "hardhat.json");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** "$1,234.56" or "-$1.20" -> cents. */
function cents(text: string): number {
  const m = /(-?)\$([\d,]+)\.(\d\d)/.exec(text);
  if (m === null) throw new Error(`not a USD amount: "${text}"`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]!.replace(/,/g, "")) * 100 + Number(m[3]));
}

describe("report (browser)", function () {
  this.timeout(600_000);
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  let snapshot: string;
  let record: string | undefined; // deployments/hardhat.json as the suite had it
  let stdout = "";

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
      this.skip();
    }
    // The sample scenario moves the chain's clock by a year: give the suite its chain back afterwards.
    snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
    record = existsSync(RECORD) ? readFileSync(RECORD, "utf8") : undefined;
    mkdirSync(OUT, { recursive: true });
    stdout = await runTask(hre, "report", { out: OUT });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    page.on("requestfailed", (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? "failed"}`));
    page.on("response", (r) => {
      if (r.status() >= 400) failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
    });
    await page.goto(`file://${path.join(OUT, "index.html")}`, { waitUntil: "load" });
  });

  after(async () => {
    await browser?.close();
    if (snapshot !== undefined) {
      await hre.network.provider.send("evm_revert", [snapshot]);
      if (record !== undefined) writeFileSync(RECORD, record);
      else rmSync(RECORD, { force: true });
    }
  });

  it("writes one self-contained page and says where it is", () => {
    expect(stdout).to.match(/report written to .*index\.html/);
    const html = readFileSync(path.join(OUT, "index.html"), "utf8");
    expect(html).to.not.match(/<script|<link |src="http|href="http/); // opens from disk, asks nothing of the network
  });

  it("shows every product, and marks the sample data SAMPLE", async () => {
    for (const id of ["MAG7", "MEME", "DEFI", "SANX", "USSI", "sources"]) expect(await page.locator(`section#${id}`).count(), id).to.equal(1);
    expect(await page.locator(".sample").count()).to.be.greaterThan(5);
    expect(await page.locator("#sources li").count()).to.be.greaterThan(2);
    for (const src of await page.locator("p.source").allTextContents()) expect(src).to.match(/chain 31337 \(hardhat\), block \d+|data to \d{4}-\d\d-\d\d/);
  });

  it("draws every chart: a non-empty SVG with data marks", async () => {
    const charts = await page.locator("figure.chart").evaluateAll((figs) =>
      figs.map((f) => {
        const svg = f.querySelector("svg");
        const marks = svg === null ? [] : [...svg.querySelectorAll("g.role-mark path, g.role-mark line")].filter((p) => (p.getAttribute("d") ?? "x").length > 0);
        const box = svg?.getBoundingClientRect();
        return { id: f.getAttribute("data-chart"), marks: marks.length, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    // 3 weight charts, 3 MVRV charts, SANX membership and NAV, USSI NAV per token and backtest
    expect(charts.length).to.equal(10);
    for (const c of charts) {
      expect(c.marks, `${c.id} marks`).to.be.greaterThan(0);
      expect(c.width * c.height, `${c.id} size`).to.be.greaterThan(10_000);
    }
  });

  it("has each holdings table sum to its NAV within the cent rounding of its rows", async () => {
    const tables = await page.locator("table[data-holdings]").evaluateAll((ts) =>
      ts.map((t) => ({
        id: t.getAttribute("data-holdings"),
        nav: t.getAttribute("data-nav") ?? "",
        card: t.closest("section")?.querySelector("[data-nav]")?.textContent ?? "",
        values: [...t.querySelectorAll("[data-value]")].map((v) => v.textContent ?? ""),
        total: t.querySelector("[data-total]")?.textContent ?? "",
      })),
    );
    expect(tables.map((t) => t.id)).to.deep.equal(["MAG7", "MEME", "DEFI", "SANX"]);
    for (const t of tables) {
      const sum = t.values.reduce((s, v) => s + cents(v), 0);
      expect(t.values.length, t.id!).to.be.greaterThan(0);
      expect(cents(t.card), `${t.id}: the NAV card is the table's NAV`).to.equal(cents(t.nav));
      expect(Math.abs(sum - cents(t.nav)), `${t.id}: rows ${sum} vs NAV ${t.nav}`).to.be.at.most(t.values.length); // each row rounded down by < 1 cent
      expect(Math.abs(cents(t.total) - cents(t.nav)), `${t.id}: total`).to.be.at.most(1);
      expect(cents(t.nav), t.id!).to.be.greaterThan(0);
    }
  });

  it("shows the rebalance and its trades against the oracle floor", async () => {
    const meme = page.locator("section#MEME");
    expect(await meme.locator("h4", { hasText: "Round 2" }).count()).to.equal(1);
    const text = (await meme.textContent()) ?? "";
    expect(text).to.match(/entered\s*BRETT/);
    expect(text).to.match(/left\s*FARTCOIN/);
    const aboveFloor = await meme.locator("table:not([data-holdings]) tbody tr td:last-child").allTextContents();
    expect(aboveFloor.length).to.be.greaterThan(0);
    for (const a of aboveFloor) expect(Number(a.replace("%", "")), "every trade at or above its floor").to.be.at.least(0);
  });

  it("shows USSI's epochs: deposits settled by the inception report and claimed, the redemption settled at its report's price, funded and claimed", async () => {
    const rows = await page.locator("section#USSI table[data-epochs] tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    expect(rows.length).to.equal(3); // the open epoch, the redemption's, the deposits'
    const [open, redemption, deposits] = rows as string[][];
    expect(open![0]).to.match(/^\d+ \(open\)$/);
    expect(open![2]).to.equal("not known yet");
    expect(deposits![0]).to.equal("0");
    expect(deposits![1]).to.match(/^round 1, /);
    expect(deposits![3]).to.equal("2: 10,000.00 USDC + 150 MAG7.ssi");
    expect(deposits![6]).to.match(/^2 of 2: [\d,.]+ USSI$/);
    expect(redemption![4]).to.equal("1: 12,000 USSI");
    expect(redemption![5]).to.match(/^12,000 USSI burned for [\d,.]+ USDC$/);
    expect(redemption![6]).to.match(/^1 of 1: [\d,.]+ USDC$/);
    expect(redemption![7]).to.equal("funded");
    expect(redemption![8]).to.match(/^1: 100 USSI for [\d,.]+ USDC$/);
    // the epoch's price is the navPerToken of the report that settled it, as the reports table shows it
    const round = /^round (\d+),/.exec(redemption![1]!)![1]!;
    const report = await page.locator("section#USSI table.num tbody tr", { has: page.locator(`th:text-is("${round}")`) }).first().evaluate((tr) => [...tr.children].map((c) => c.textContent ?? ""));
    expect(report[2], "settled epoch").to.equal(redemption![0]);
    expect(report[4], "NAV / token").to.equal(redemption![2]);
    const text = (await page.locator("section#USSI dl.cards").textContent()) ?? "";
    expect(text).to.match(/redemptions owed \/ funded([\d,.]+ USDC) \/ \1, none outstanding/);
    expect(text).to.match(/instant redemption[\d,.]+ USDC left this epoch \(cap 1\.00% of NAV per epoch, at the last NAV less 50 bps\)/);
  });

  it("lists SANX's accepted signals once per asset and day", async () => {
    const rows = await page.locator("section#SANX h3:text-is('Signals accepted') + .table-wrap tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
    expect(rows.length).to.be.greaterThan(3);
    const keys = rows.map((r) => `${r[1]} ${r[0]}`);
    expect(new Set(keys).size).to.equal(keys.length);
    for (const r of rows) {
      expect(r[0]).to.match(/^\d{4}-\d\d-\d\d$/);
      // the zone agrees with the numbers it claims: OPPORTUNITY below L, DANGER above U
      const mvrv = Number(r[3]);
      const threshold = Number(r[4]!.slice(2));
      if (r[2] === "OPPORTUNITY") expect(r[4]!.startsWith("L") && mvrv < threshold, r.join(" ")).to.equal(true);
      else expect(r[4]!.startsWith("U") && mvrv > threshold, r.join(" ")).to.equal(true);
    }
  });

  it("raises no console error and no failed request", () => {
    expect(consoleErrors).to.deep.equal([]);
    expect(failedRequests).to.deep.equal([]);
  });

  it("fits a phone's width (tables scroll inside their box) and saves screenshots", async () => {
    await page.screenshot({ path: path.join(OUT, "report-desktop.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = (await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) as number;
    expect(overflow).to.be.at.most(1);
    await page.screenshot({ path: path.join(OUT, "report-phone.png") });
    expect(existsSync(path.join(OUT, "report-desktop.png"))).to.equal(true);
  });
});
