/**
 * USSI: one signed NAV report every `navInterval` (default a day) from a positions source. The vault
 * settles the open epoch's deposit and redemption requests inside `submitNavReport` itself, at the
 * report's navPerToken (METHODOLOGY section 6: the first report accepted after a request), so there is
 * no separate settlement transaction; funding settled redemptions (`fulfil`) moves the strategy's USDC
 * and stays with the strategy (`ussi:fulfil`).
 *
 * Once-only: the work is keyed by the vault's open epoch (`currentEpoch`, which every accepted report
 * advances); a report for it is due when the last accepted report is `navInterval` old (or none was
 * ever accepted: the inception report). Whoever relays a report ends the epoch, so a second keeper, a
 * rerun or a report relayed by hand is recognised at once.
 */
import { readFileSync } from "node:fs";
import { UssiVault__factory } from "../../typechain-types";
import { inceptionReport, navReport, parsePositions, type Book, type Prices } from "../../src/ussi";
import { NAV_REPORT_TYPES, type NavReport } from "../../src/ussi/navReport";
import { recordedDomain, signQuorum } from "../../chain/quorum";
import type { DeploymentRecord } from "../../chain/deployment";
import type { UssiPart } from "../../chain/ussi";
import type { Client } from "../../chain/client";
import type { Logger } from "../log-types";
import type { ProductKeeper, Work } from "../work";
import type { PositionsSourceConfig, UssiConfig } from "./config";
import { chainNow, lazyKeys } from "./common";

const WAD = 10n ** 18n;

/** The book the NAV is computed from. Pluggable: a file, a venue's API, the strategy's own books. */
export interface PositionsSource {
  /**
   * The book (spot, perps, cash, funding accrued: holders' value only, see `src/ussi/positions.ts`) and
   * the mark prices as of chain time `at` {unix s}; undefined when none is available (nothing is sent).
   */
  read(at: bigint): Promise<{ book: Book; prices: Prices } | undefined>;
}

/** A positions JSON file (`ussi:nav --positions` format), read again at every report. */
export function filePositionsSource(file: string): PositionsSource {
  return {
    async read() {
      const p = parsePositions(JSON.parse(readFileSync(file, "utf8")), file);
      return { book: p.book, prices: p.prices };
    },
  };
}

export function positionsSource(config: PositionsSourceConfig): PositionsSource {
  if (config.kind === "file") return filePositionsSource(config.file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(config.module) as { default?: unknown; createPositionsSource?: unknown };
  const factory = (mod.createPositionsSource ?? mod.default) as ((options: Record<string, unknown>) => PositionsSource) | undefined;
  if (typeof factory !== "function") throw new Error(`${config.module}: exports no createPositionsSource(options) (nor a default function) returning a PositionsSource`);
  return factory(config.options);
}

export function ussiProductKeeper(client: Client, record: DeploymentRecord, config: UssiConfig, log: Logger, source: PositionsSource = positionsSource(config.positions)): ProductKeeper {
  const part = (record as DeploymentRecord & { ussi?: UssiPart }).ussi;
  if (part === undefined) throw new Error(`deployments/${record.network}.json has no USSI deployment: run ussi:deploy first`);
  const vault = UssiVault__factory.connect(part.vault, client.provider);
  const signers = lazyKeys(client, config.signers, "USSI NAV signers");
  const interval = BigInt(config.navInterval);

  async function view() {
    const [last, epoch, limits] = await Promise.all([vault.lastAcceptedReport(), vault.currentEpoch(), vault.limits()]);
    // Due at the interval, and never later than the vault's maxNavAge (a stale NAV blocks instant redemption).
    const every = limits.maxNavAge < interval ? limits.maxNavAge : interval;
    return { round: last.round, timestamp: last.timestamp, navPerToken: last.navPerToken, epoch, dueAt: last.round === 0n ? 0n : last.timestamp + every };
  }

  function navWork(epoch: bigint, dueAt: bigint): Work {
    return {
      product: "USSI",
      kind: "nav",
      key: `USSI/nav/epoch-${epoch}`,
      dueAt,
      async nextStep() {
        const [v, now, supply] = await Promise.all([view(), chainNow(client), vault.totalSupply()]);
        if (v.epoch !== epoch || v.dueAt > now) return undefined;
        const round = v.round + 1n;
        let report: NavReport;
        if (supply === 0n) {
          // No USSI outstanding: NAV 0 at the last price (1.00 at inception); pending deposits settle at it.
          report = inceptionReport(round, now, v.round === 0n ? WAD : v.navPerToken);
        } else {
          const book = await source.read(now);
          if (book === undefined) {
            log.warn({ product: "USSI", epoch: String(epoch) }, "USSI NAV due but the positions source has no book: nothing sent");
            return undefined;
          }
          report = navReport({ ...book, supply, round, timestamp: now });
          // The vault refuses a move of navPerToken above maxNavChangeBps per report (NavChangeTooLarge):
          // such a move needs signed intermediate steps (`ussi:nav --step`), a decision for people.
          const { maxNavChangeBps } = await vault.limits();
          const last = v.navPerToken;
          const move = report.navPerToken > last ? report.navPerToken - last : last - report.navPerToken;
          if (last > 0n && move * 10_000n > last * BigInt(maxNavChangeBps)) {
            log.error(
              { product: "USSI", epoch: String(epoch), last: String(last), next: String(report.navPerToken), maxNavChangeBps: Number(maxNavChangeBps) },
              `USSI NAV per token would move from ${last} to ${report.navPerToken}, more than the vault's ${maxNavChangeBps} bps per report: relay intermediate steps (ussi:nav --step) first; nothing sent`,
            );
            return undefined;
          }
        }
        const domain = await recordedDomain({ eip712Domain: () => vault.navReportDomain(), getAddress: () => vault.getAddress(), runner: vault.runner }, "nav");
        const signatures = await signQuorum(await signers(), domain, NAV_REPORT_TYPES, { ...report });
        return {
          label: `USSI NAV round ${round} (ends epoch ${epoch}, NAV/token ${report.navPerToken})`,
          to: part!.vault,
          data: vault.interface.encodeFunctionData("submitNavReport", [report, signatures]),
        };
      },
    };
  }

  return {
    product: "USSI",
    async due(now) {
      const v = await view();
      return v.dueAt <= now ? [navWork(v.epoch, v.dueAt)] : [];
    },
    async nextDue() {
      return (await view()).dueAt;
    },
  };
}
