/**
 * The vault's fee-scaled redemption amounts, projected forward in time (pure, bigint).
 *
 * Why: `IndexVault.previewRedeem` is exact for the block it is read in, but the management fee keeps
 * streaming, so a redeem landing in a later block pays slightly less (every unit is multiplied by
 * 1 - rate * elapsed / year). A `minAmountsOut` equal to the preview of the current block would then
 * revert. `projectRedeemAmounts` gives what the vault pays if the redeem lands at `at`: the
 * previewRedeem of that moment (same formula and rounding as `IndexVault._accrue` and `redeem`).
 */
export const WAD = 10n ** 18n;
export const YEAR = 365n * 24n * 3600n;
const MAX_ACCRUAL_FRACTION = WAD / 2n;

export interface RawBasketNow {
  /** {tok/1e18 shares, stored} from `rawBasket()` */
  storedUnits: readonly bigint[];
  /** {WAD} from `rawBasket()`, accrued to `now` */
  scale: bigint;
  /** {WAD/year} */
  feeRate: bigint;
  /** {unix s} the time `scale` is accrued to (feeState().lastAccrual) */
  now: bigint;
}

/**
 * Redemption amounts for `shares` if the redeem executes at `at` (>= now), as the vault accrues:
 * a per-second rate floor(rate / YEAR), f = that * elapsed capped at 50%;
 * scale' = floor(scale * (1e18 - f) / 1e18); amount_i = floor(shares * stored_i * scale' / 1e36)
 * (outbound: rounded down). The chain accrues from its last stored accrual in one step while this
 * projects from `now` in a second step, so the scales can differ by a unit of rounding: pass a moment
 * one second past the latest expected execution to stay on the safe side.
 */
export function projectRedeemAmounts(b: RawBasketNow, shares: bigint, at: bigint): bigint[] {
  if (at < b.now) throw new RangeError(`projectRedeemAmounts: at ${at} is before now ${b.now}`);
  const perSecond = b.feeRate / YEAR; // {WAD/s}, floor (IndexVault's feePerSecond)
  let f = perSecond * (at - b.now); // {WAD}
  if (f > MAX_ACCRUAL_FRACTION) f = MAX_ACCRUAL_FRACTION;
  const scale = (b.scale * (WAD - f)) / WAD; // {WAD}, floor
  return b.storedUnits.map((u) => (shares * u * scale) / (WAD * WAD)); // {tok}, floor
}
