/**
 * Fee accrual, once a month per index vault: `claimFees()` (permissionless) accrues the management fee
 * to now and mints the pending fee shares to the fee recipient. Cadence: the fee accrues continuously in
 * the vault's math (rate x time, the same whatever the cadence but for compounding), so the claim only
 * makes it visible: the recipient's shares and the supply are current once a month, beside the monthly
 * weight report, for 12 transactions a year. (The Rebalancer's own `AccrueFees` upkeep is not used: its
 * `checkUpkeep` answers `Open` first while a new round waits to be opened, which a round that needs no
 * trade does for the whole month, so it would not accrue then.)
 *
 * Once-only: the vault emits `FeesClaimed` at every claim that mints shares; a claim (by anyone) dated on
 * or after the 1st of this month means this month's is done. A vault with nothing pending has nothing to
 * claim (no event would be emitted), so it is not due.
 */
import { IndexVault__factory } from "../../typechain-types";
import type { Client } from "../../chain/client";
import type { Product, Work } from "../work";
import { chainNow, monthKey, monthStart } from "./common";

export interface FeeKeeper {
  /** This month's fee claim when due at `now` (at most a feeState read and a log query at a month start; none once done). */
  due(now: bigint): Promise<Work[]>;
}

export function feeKeeper(client: Client, product: Product, vaultAddress: string, fromBlock: number): FeeKeeper {
  const vault = IndexVault__factory.connect(vaultAddress, client.provider);
  // The latest FeesClaimed seen and the block searched up to: the chain's past does not change.
  let lastClaimAt = 0n;
  let searchedTo = fromBlock - 1;

  async function claimedSince(start: bigint): Promise<boolean> {
    if (lastClaimAt >= start) return true;
    const head = await client.provider.getBlockNumber();
    if (head > searchedTo) {
      const logs = await vault.queryFilter(vault.filters.FeesClaimed(), searchedTo + 1, head);
      if (logs.length > 0) {
        const block = await client.provider.getBlock(logs[logs.length - 1]!.blockNumber);
        lastClaimAt = BigInt(block!.timestamp);
      }
      searchedTo = head;
    }
    return lastClaimAt >= start;
  }

  function work(month: string, dueAt: bigint): Work {
    return {
      product,
      kind: "fees",
      key: `${product}/fees/${month}`,
      dueAt,
      async nextStep() {
        const now = await chainNow(client);
        if (monthKey(now) !== month || (await claimedSince(monthStart(now)))) return undefined;
        const [, , , pending] = await vault.feeState();
        if (pending === 0n) return undefined;
        return { label: `${product} fee accrual ${month}: claimFees (${pending} fee shares to the recipient)`, to: vaultAddress, data: vault.interface.encodeFunctionData("claimFees") };
      },
    };
  }

  return {
    async due(now) {
      if (lastClaimAt >= monthStart(now)) return [];
      const [, , , pending] = await vault.feeState();
      if (pending === 0n || (await claimedSince(monthStart(now)))) return [];
      return [work(monthKey(now), monthStart(now))];
    },
  };
}
