import type { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The module builder `buildModule` hands a module body (for helpers that add futures to the calling module). */
export type ModuleBuilder = Parameters<Parameters<typeof buildModule>[1]>[0];
/** A contract future (deployed or `contractAt`) that calls can be made on, or passed as an address. */
export type ContractRef = Parameters<ModuleBuilder["call"]>[0];
