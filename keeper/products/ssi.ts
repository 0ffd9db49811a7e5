/**
 * MAG7.ssi, MEME.ssi, DEFI.ssi: the monthly weight report (METHODOLOGY sections 1-3: determination on
 * the last calendar day, effective the 1st of the next month; stablecoins and wrapped/staked tokens
 * excluded by `computeIndex`), its rebalance, windows that are over, and fee accrual.
 *
 * When is a month's report done? The WeightOracle keeps only rounds, so the keeper reads when the
 * last accepted round was accepted (its `ReportAccepted` event's block): a report accepted on or after
 * the 1st of this month (00:00 UTC) is this month's, whoever relayed it. Nothing else is needed: no
 * state file, no memory of earlier runs (the block time of an accepted round never changes, so it is
 * cached in memory only to spare the read).
 */
import { getAddress } from "ethers";
import { IndexVault__factory, WeightOracle__factory } from "../../typechain-types";
import { computeIndex, PRODUCTS as METHOD_PRODUCTS } from "../../src/methodology";
import { tokenIndex, tokensForSymbols, type DeploymentRecord } from "../../chain/deployment";
import { checkedDomain } from "../../chain/quorum";
import { signReport, type WeightReport } from "../../chain/weight-reports";
import type { Client } from "../../chain/client";
import type { Logger } from "../log-types";
import type { ProductKeeper, Work } from "../work";
import type { SsiProductConfig } from "./config";
import { chainNow, determinationDate, lazyKeys, monthKey, monthStart, nextMonthStart } from "./common";
import { universeProvider } from "./data";
import { NoTradeMemo, readRebalanceView, rebalanceWorks } from "./rebalance";
import { feeKeeper } from "./fees";

export type SsiName = "MAG7" | "MEME" | "DEFI";

/** {unix s} when `round` of `index` was accepted by the WeightOracle (its ReportAccepted block), cached. */
export function acceptedAtReader(client: Client, oracleAddress: string, fromBlock: number) {
  const cache = new Map<string, bigint>();
  const oracle = WeightOracle__factory.connect(oracleAddress, client.provider);
  return async (index: string, round: bigint): Promise<bigint> => {
    if (round === 0n) return 0n;
    const k = `${index.toLowerCase()}/${round}`;
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const logs = await oracle.queryFilter(oracle.filters.ReportAccepted(index, round), fromBlock);
    if (logs.length === 0) throw new Error(`no ReportAccepted event for round ${round} of ${index} since block ${fromBlock}: is the record's block range right?`);
    const block = await client.provider.getBlock(logs[logs.length - 1]!.blockNumber);
    const ts = BigInt(block!.timestamp);
    cache.set(k, ts);
    return ts;
  };
}

export function ssiProductKeeper(client: Client, record: DeploymentRecord, product: SsiName, config: SsiProductConfig, log: Logger): ProductKeeper {
  const part = record.products[product];
  if (part === undefined) throw new Error(`deployments/${record.network}.json has no ${product} vault: run ssi:deploy first`);
  const vaultAddress = getAddress(part.vault);
  const oracleAddress = record.protocol.weightOracle;
  const acceptedAt = acceptedAtReader(client, oracleAddress, record.protocol.fromBlock ?? 0);
  const data = universeProvider(config.data);
  const signers = lazyKeys(client, config.signers, `${product} weight signers`);
  const memo = new NoTradeMemo();
  const fees = feeKeeper(client, product, vaultAddress, record.protocol.fromBlock ?? 0);
  const maxTradeUsd = config.rebalance.maxTradeUsd === undefined ? undefined : BigInt(Math.round(config.rebalance.maxTradeUsd)) * 10n ** 18n;

  /** This month's report is on chain: the last accepted round was accepted on or after the 1st. */
  async function monthDone(now: bigint): Promise<{ done: boolean; lastRound: bigint }> {
    const oracle = WeightOracle__factory.connect(oracleAddress, client.provider);
    const lastRound = await oracle.lastRound(vaultAddress);
    return { done: lastRound > 0n && (await acceptedAt(vaultAddress, lastRound)) >= monthStart(now), lastRound };
  }

  function weightsWork(month: string, dueAt: bigint): Work {
    return {
      product,
      kind: "weights",
      key: `${product}/weights/${month}`,
      dueAt,
      async nextStep() {
        const now = await chainNow(client);
        if (monthKey(now) !== month) return undefined; // the month is over: the next month's report is its own work
        const { done, lastRound } = await monthDone(now);
        if (done) return undefined;
        const date = determinationDate(now);
        const universe = await data.universe(date);
        const provider = client.provider;
        const oracle = WeightOracle__factory.connect(oracleAddress, provider);
        const vault = IndexVault__factory.connect(vaultAddress, provider);
        const [[, held], maxValidity, { chainId }] = await Promise.all([vault.targets(), oracle.maxValidity(), provider.getNetwork()]);
        const symbolOf = tokenIndex(record);
        const known = new Set(universe.assets.map((a) => a.symbol.toUpperCase()));
        const incumbents = held.map((t) => symbolOf.get(t.toLowerCase())?.asset ?? t).filter((s) => known.has(s.toUpperCase()));
        const composition = computeIndex(METHOD_PRODUCTS[product], universe, incumbents);
        const symbols = composition.constituents.map((c) => c.symbol);
        const validFor = BigInt(config.validFor) < maxValidity ? BigInt(config.validFor) : maxValidity;
        const report: WeightReport = {
          index: vaultAddress,
          round: lastRound + 1n,
          validAfter: now,
          expiresAt: now + validFor,
          constituents: tokensForSymbols(record, symbols),
          weights: composition.constituents.map((c) => c.weight),
        };
        const domain = await checkedDomain(oracle, { kind: "weights", chainId, verifyingContract: oracleAddress });
        const signatures = await signReport(await signers(), domain, report);
        log.info({ product, month, round: String(report.round), determination: date, constituents: symbols }, `${product} weights ${month}: round ${report.round} from ${date} data`);
        return {
          label: `${product} weights ${month}: relay round ${report.round} (${symbols.join(", ")})`,
          to: oracleAddress,
          data: oracle.interface.encodeFunctionData("submit", [report, signatures]),
        };
      },
    };
  }

  return {
    product,
    async due(now) {
      const [month, view, feeWorks] = await Promise.all([monthDone(now), readRebalanceView(client, record, product), config.fees.enabled ? fees.due(now) : []]);
      const works: Work[] = [];
      if (!month.done) works.push(weightsWork(monthKey(now), month.lastRound === 0n ? now : monthStart(now)));
      works.push(...rebalanceWorks(client, record, product, view, now, { rebalance: config.rebalance.enabled, memo, ...(maxTradeUsd !== undefined ? { maxTradeUsd } : {}) }, log));
      works.push(...feeWorks);
      return works;
    },
    async nextDue(now) {
      return nextMonthStart(now); // the next report and fee claim; a rebalance follows its report
    },
  };
}
