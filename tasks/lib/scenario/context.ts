/**
 * Shared state and printing for the sample scenario's sections (`tasks/lib/scenario/*.ts`): `scripts/demo.ts`
 * runs them aloud, `npx hardhat report` silently.
 * A section receives the context, may add to it (the SSI section sets `deployment`), and appends
 * lines to `summary`, printed at the end.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import Table from "cli-table3";
import type { DeploymentRecord } from "../../../chain/deployment";
import type { Client } from "../../../chain/client";
import { clientFromHre } from "../client";

/** The hardhat accounts by role, as `ignition/parameters/hardhat.json` assigns them. */
export interface NamedSigners {
  deployer: HardhatEthersSigner; // 0: deployer and admin
  guardian: HardhatEthersSigner; // 1
  keeper: HardhatEthersSigner; // 2
  feeRecipient: HardhatEthersSigner; // 3
  oracleSigners: HardhatEthersSigner[]; // 4-6: weight report signers (2 of 3)
  alice: HardhatEthersSigner; // 7: a user
  bob: HardhatEthersSigner; // 8: another user
}

export interface Printer {
  heading(title: string): void;
  line(text?: string): void;
  table(head: string[], rows: (string | number)[][]): void;
}

export interface DemoContext {
  /** For what only Hardhat does: Ignition deployments and running tasks. */
  hre: HardhatRuntimeEnvironment;
  /** The chain layer's client (chain/client.ts) over the same network. */
  client: Client;
  signers: NamedSigners;
  /** Set by the SSI section (market + protocol); later sections require it. */
  deployment?: DeploymentRecord;
  print: Printer;
  /** Lines for the final summary, by section. */
  summary: { section: string; lines: string[] }[];
}

export interface DemoSection {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}

export function consolePrinter(write: (s: string) => void = (s) => console.log(s)): Printer {
  return {
    heading(title) {
      write(`\n== ${title} ${"=".repeat(Math.max(0, 74 - title.length))}`);
    },
    line(text = "") {
      write(text);
    },
    table(head, rows) {
      const t = new Table({ head, style: { compact: true, head: [] } });
      for (const r of rows) t.push(r.map(String));
      write(t.toString());
    },
  };
}

export async function createContext(hre: HardhatRuntimeEnvironment, print: Printer = consolePrinter()): Promise<DemoContext> {
  const s = await hre.ethers.getSigners();
  if (s.length < 9) throw new Error("the demo needs at least 9 accounts (the in-process hardhat network has 20)");
  return {
    hre,
    client: clientFromHre(hre),
    signers: { deployer: s[0]!, guardian: s[1]!, keeper: s[2]!, feeRecipient: s[3]!, oracleSigners: [s[4]!, s[5]!, s[6]!], alice: s[7]!, bob: s[8]! },
    print,
    summary: [],
  };
}

/** The deployment the SSI section made; sections after it call this. */
export function requireDeployment(ctx: DemoContext): DeploymentRecord {
  if (ctx.deployment === undefined) throw new Error("run the SSI demo section first: it deploys the market and the protocol");
  return ctx.deployment;
}
