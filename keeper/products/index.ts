/**
 * The product modules of the keeper: one `ProductKeeper` per enabled product of the config, each
 * working out from chain state and its data what is due (see each module's header).
 */
import type { Client } from "../../chain/client";
import type { DeploymentRecord } from "../../chain/deployment";
import type { Logger } from "../log-types";
import type { ProductKeeper } from "../work";
import type { ProductsConfig } from "./config";
import { sanxProductKeeper } from "./sanx";
import { ssiProductKeeper } from "./ssi";
import { ussiProductKeeper } from "./ussi";

export { productsConfigSchema, parseProductsConfig, type ProductsConfig, type ProductsConfigInput } from "./config";
export type { PositionsSource } from "./ussi";

/**
 * The keepers of every enabled product, in the order MAG7, MEME, DEFI, SANX, USSI (USSI last: its
 * deposits in MAG7.ssi are valued at MAG7's feeds). Throws, naming the product, when the record lacks a
 * deployment the config enables.
 */
export function buildProductKeepers(client: Client, record: DeploymentRecord, config: ProductsConfig, log: Logger): ProductKeeper[] {
  const out: ProductKeeper[] = [];
  for (const p of ["MAG7", "MEME", "DEFI"] as const) {
    const c = config[p];
    if (c !== undefined && c.enabled) out.push(ssiProductKeeper(client, record, p, c, log));
  }
  if (config.SANX?.enabled) out.push(sanxProductKeeper(client, record, config.SANX, log));
  if (config.USSI?.enabled) out.push(ussiProductKeeper(client, record, config.USSI, log));
  return out;
}
