/**
 * What every project task gets from the command line, whatever file defines it:
 * - a chain task compiles first (quietly, its output on stderr), as `hardhat test` and `hardhat run`
 *   do, so a fresh clone's first `npx hardhat index:status` finds its TypeChain bindings;
 * - a known error (a user error, Hardhat's own argument errors) prints its message without a stack
 *   trace on every terminal, CI or not, unless `--show-stack-traces` is given;
 * - tables carry no colour codes when stdout is not a terminal (a file, a pipe, a CI log).
 * Loaded by tasks/index.ts after every task module has registered its tasks.
 */
import path from "node:path";
import { inspect } from "node:util";
import { task } from "hardhat/config";
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import { HardhatContext } from "hardhat/internal/context";
import { HardhatError, HardhatPluginError } from "hardhat/internal/core/errors";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** The prefixes of this project's tasks. */
const PROJECT_TASK = /^(ssi|index|sanx|ussi|mvrv|bench|guardian|gov|keeper):/;

/** Tasks that never touch a chain or TypeChain: they run without compiling. */
export const PURE_TASKS: ReadonlySet<string> = new Set(["ssi:weights", "mvrv:signals", "bench:signals", "sanx:backtest", "ussi:backtest"]);

/** Every task of this project that needs the contracts compiled (its TypeChain bindings, artifacts). */
export function chainTaskNames(): string[] {
  const defs = HardhatContext.getHardhatContext().tasksDSL.getTaskDefinitions();
  return Object.values(defs)
    .filter((d) => !d.isSubtask && PROJECT_TASK.test(d.name) && !PURE_TASKS.has(d.name))
    .map((d) => d.name)
    .sort();
}

let compiled: Promise<void> | undefined;

/**
 * Compiles once per process, quietly; what compile and TypeChain print goes to stderr so a task's
 * `--json` output stays the only thing on stdout.
 */
export function compileQuietly(hre: HardhatRuntimeEnvironment): Promise<void> {
  compiled ??= (async () => {
    const log = console.log;
    console.log = (...parts: unknown[]) => console.error(...parts);
    try {
      await hre.run(TASK_COMPILE, { quiet: true });
    } finally {
      console.log = log;
    }
  })();
  return compiled;
}

/** Overrides every chain task so it compiles before its own action runs. */
export function compileBeforeChainTasks(): void {
  for (const name of chainTaskNames()) {
    task(name).setAction(async (args, hre, runSuper) => {
      await compileQuietly(hre);
      return runSuper(args);
    });
  }
}

/**
 * Hardhat 2 prints a known error's stack when it believes it is not on a developer's terminal (CI
 * set, or Linux without DISPLAY). A user error is not a bug: its message is the whole story. The
 * stack stays one flag away, as Hardhat says on a developer's terminal.
 */
export function hideStacksOfKnownErrors(): void {
  const hint = function (this: Error): string {
    if (process.argv.includes("--show-stack-traces")) return inspect(this, { customInspect: false });
    return "For the stack trace, run again with --show-stack-traces";
  };
  for (const cls of [HardhatError, HardhatPluginError]) {
    Object.defineProperty(cls.prototype, inspect.custom, { value: hint, configurable: true, writable: true });
  }
}

/**
 * cli-table3 colours its borders and headers through @colors/colors, which writes colour codes into
 * a file or a pipe as well. Off unless stdout is a terminal (FORCE_COLOR=1 keeps them; NO_COLOR or
 * --no-color removes them everywhere).
 */
export function noColourWhenPiped(stdoutIsTty = process.stdout.isTTY === true): void {
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0";
  const off = process.env.NO_COLOR !== undefined || (!stdoutIsTty && !forced);
  if (!off) return;
  const tableDir = path.dirname(require.resolve("cli-table3/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const colors = require(require.resolve("@colors/colors/safe", { paths: [tableDir] })) as { disable(): void };
  colors.disable();
}
