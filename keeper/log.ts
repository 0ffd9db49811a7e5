/**
 * The keeper's logger (pino). `--json-logs`: one JSON object a line on stdout, as log collectors expect
 * (pino's own format: `level`, `time`, `msg` and the fields). Otherwise one readable line per event,
 * `HH:MM:SS LEVEL message key=value ...`, coloured only on a terminal (never in a file, a pipe or CI).
 */
import pino, { type Logger } from "pino";
import { useEnv } from "../src/env";

export type { Logger };

export interface LogOptions {
  json: boolean;
  /** Minimum level (default "info"; LOG_LEVEL in the environment overrides). */
  level?: string;
  /** Where lines go (default stdout). Tests pass a collector. */
  write?: (line: string) => void;
  /** Colour the level names (default: only when stdout is a terminal and NO_COLOR is unset). */
  colour?: boolean;
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLOURS: Record<number, string> = { 10: "\x1b[90m", 20: "\x1b[90m", 30: "\x1b[36m", 40: "\x1b[33m", 50: "\x1b[31m", 60: "\x1b[35m" };
const OMIT = new Set(["level", "time", "msg", "pid", "hostname"]);

function show(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

/** One pino JSON line as a readable line. */
export function readableLine(json: string, colour: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = Number(o.level);
  const t = new Date(Number(o.time)).toISOString().slice(11, 19);
  const name = (LEVELS[level] ?? String(o.level)).padEnd(5);
  const lvl = colour ? `${COLOURS[level] ?? ""}${name}\x1b[0m` : name;
  const fields = Object.entries(o)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${show(v)}`);
  return `${t} ${lvl} ${String(o.msg ?? "")}${fields.length > 0 ? " " + fields.join(" ") : ""}\n`;
}

export function createLogger(opts: LogOptions): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const colour = opts.colour ?? (process.stdout.isTTY === true && process.env.NO_COLOR === undefined);
  const stream = { write: (line: string) => write(opts.json ? line : readableLine(line, colour)) };
  return pino(
    {
      level: useEnv("LOG_LEVEL") ?? opts.level ?? "info",
      base: undefined,
      // bigint fields (wei, unix s) print as decimal strings in both formats
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (typeof first === "object" && first !== null) {
            const fixed = JSON.parse(JSON.stringify(first, (_k, x) => (typeof x === "bigint" ? x.toString() : x))) as object;
            return method.apply(this, [fixed, ...rest] as never);
          }
          return method.apply(this, args);
        },
      },
    },
    stream,
  );
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
