/**
 * Files a task writes (`--out`, `--plot`): one rule for every task. The folder is created when it
 * does not exist; when it cannot be, or the path is a folder, the error says why; the file is
 * written whole or not at all (a temporary file renamed into place). Charts are SVG only.
 */
import { mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fail } from "./args";

/**
 * `--plot FILE`: undefined when not given; refused unless the name ends in .svg (the charts are
 * SVG: a .png name would get SVG bytes). Call it while validating arguments, before any work.
 */
export function parsePlotPath(value: string | undefined, name = "plot"): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") fail(`--${name} must not be empty: give a file name ending in .svg`);
  if (path.extname(value).toLowerCase() !== ".svg") {
    fail(`--${name} ${value}: charts are written as SVG only, so the file name must end in .svg (e.g. ${path.join(path.dirname(value), path.parse(value).name)}.svg)`);
  }
  checkOutputPath(value, name);
  return value;
}

/**
 * Checks that `file` can be written: not a folder, and its folder exists or can be created (it is
 * created now). Call it while validating arguments, so a bad path fails before anything is computed
 * or sent.
 */
export function checkOutputPath(file: string, name = "out"): void {
  if (file.trim() === "") fail(`--${name} must not be empty`);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
  } catch {
    stat = undefined; // a part of the path is not a folder: mkdir below says so
  }
  if (stat?.isDirectory()) fail(`--${name} ${file} is a folder; give a file name`);
  const dir = path.dirname(path.resolve(file));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fail(`--${name} ${file}: cannot create the folder ${dir}: ${reason(e)}`);
  }
}

/** Writes `contents` to `file` (the folder created first), whole or not at all. */
export function writeOutputFile(file: string, contents: string, name = "out"): void {
  checkOutputPath(file, name);
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    fail(`--${name} ${file}: cannot write the file: ${reason(e)}`);
  }
}

/** Writes an SVG chart to a `--plot` path (refusing any other extension). */
export function writePlotFile(file: string, svg: string, name = "plot"): void {
  parsePlotPath(file, name);
  writeOutputFile(file, svg, name);
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "EACCES" || err.code === "EPERM") return "permission denied";
  if (err.code === "ENOTDIR" || err.code === "EEXIST") return "a part of the path is a file, not a folder";
  if (err.code === "EROFS") return "the file system is read-only";
  if (err.code === "ENOSPC") return "no space left on the device";
  return err.message;
}
