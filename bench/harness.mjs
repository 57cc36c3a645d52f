// The benchmark harness: define a bench, time things, report figures against their targets.
//
//   export default defineBench({
//     name: 'history',
//     title: 'First history page of a busy customer',
//     async run(ctx) {
//       const time = await sample(() => crm.history(id, { limit: 50 }), { warmup: 200, runs: 2000 });
//       ctx.figure({ name: 'first page, median', value: time.median, unit: 'ms', target: 0.2, higherIsBetter: false });
//     },
//   });
//
// Benchmarks report; they don't gate CI: a missed target prints MISS and the run still exits 0.
// Only an exception (a wrong answer, a crash) makes the run fail.

import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * A benchmark. `run(ctx)` does the work and reports through `ctx.figure` (a number with a target)
 * and `ctx.info` (a number worth printing, without a target). Benches run in `order`, then by name.
 */
export function defineBench({ name, title = name, order = 100, run }) {
  if (typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name)) throw new Error(`defineBench: name must be lower-case words with dashes, got ${JSON.stringify(name)}`);
  if (typeof run !== 'function') throw new Error(`defineBench(${name}): run must be a function`);
  return { name, title, order, run };
}

// ---------------------------------------------------------------------------------------------
// Timing

/** Median, p95 and friends of a list of durations (or any numbers). */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { runs: n, median, p95: at(0.95), min: sorted[0], max: sorted[n - 1], mean: sorted.reduce((s, x) => s + x, 0) / n };
}

/**
 * Times `fn` (sync or async) `runs` times after `warmup` untimed calls, each call on its own, in
 * milliseconds. Collects garbage first when it can, so an earlier phase's garbage isn't billed here.
 * `fn` gets the call number, which lets a caller vary its input.
 */
export async function sample(fn, { warmup = 0, runs }) {
  for (let i = 0; i < warmup; i++) await fn(i);
  collectGarbage();
  const samples = new Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    samples[i] = performance.now() - start;
  }
  return { ...summarize(samples), samples };
}

/** Milliseconds since an arbitrary start, sub-millisecond resolution. */
export const now = () => performance.now();

/** A full garbage collection, if node runs with --expose-gc (the bench script does). */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

/** Whether heap figures can be trusted (they need a collection first). */
export const canCollectGarbage = () => typeof globalThis.gc === 'function';

// ---------------------------------------------------------------------------------------------
// Shared fixtures: expensive data built once and used by several benches.

const fixtures = new Map();

/** Builds a fixture on first use (`build()` may be async) and hands the same value to later callers. */
export function shared(key, build) {
  if (!fixtures.has(key)) fixtures.set(key, Promise.resolve().then(build));
  return fixtures.get(key);
}

// ---------------------------------------------------------------------------------------------
// Formatting

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A number for people: thousands separators for big numbers, 3 significant digits for small ones. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return grouped.format(value);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(3);
}

const formatValue = (value, unit) => (unit === '×' ? `${formatNumber(value)}×` : `${formatNumber(value)} ${unit}`);
const formatRatio = (ratio) => `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;

/** Bytes as MiB or GiB. */
export function formatBytes(bytes) {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

const pad = (text, width) => text + ' '.repeat(Math.max(0, width - [...text].length));
const padStart = (text, width) => ' '.repeat(Math.max(0, width - [...text].length)) + text;

// ---------------------------------------------------------------------------------------------
// Figures

/**
 * A measured figure, checked against its target: `ratio` is figure/target (target/figure when lower
 * is better), so above 1 is always good, and `pass` is `ratio >= 1`. With a `baseline` (the same
 * measurement done another way) it also has the ratio against it, in the same sense.
 */
function makeFigure(bench, { name, value, unit, target, higherIsBetter = true, baseline, note }) {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${bench}: figure "${name}" is not a number (${value})`);
  const better = (a, b) => (higherIsBetter ? a / b : b / a);
  const figure = { bench, name, value, unit, higherIsBetter, note };
  if (target !== undefined) {
    figure.target = target;
    figure.ratio = better(value, target);
    figure.pass = figure.ratio >= 1;
  }
  if (baseline) figure.baseline = { name: baseline.name, value: baseline.value, unit: baseline.unit ?? unit, ratio: better(value, baseline.value) };
  return figure;
}

function printFigure(figure) {
  const parts = [pad(`  ${figure.name}`, 34), padStart(formatValue(figure.value, figure.unit), 22)];
  if (figure.target !== undefined) {
    const sign = figure.higherIsBetter ? '≥' : '≤';
    parts.push(pad(`  target ${sign} ${formatValue(figure.target, figure.unit)}`, 28), padStart(formatRatio(figure.ratio), 8), figure.pass ? '  PASS' : '  MISS');
  }
  if (figure.baseline) {
    const { name, value, unit, ratio } = figure.baseline;
    parts.push(`   vs ${name} (${formatValue(value, unit)}): ${formatRatio(ratio)} ${figure.higherIsBetter ? 'higher' : 'faster'}`);
  }
  console.log(parts.join(''));
  if (figure.note) console.log(`  ${' '.repeat(4)}${figure.note}`);
}

function printInfo(info) {
  console.log(`${pad(`  · ${info.name}`, 34)}${padStart(info.unit === undefined ? String(info.value) : formatValue(info.value, info.unit), 22)}${info.note ? `   ${info.note}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Machine

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memory: os.totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    execArgv: process.execArgv,
  };
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * Runs `benches` (those whose name contains one of `filters`, or all), printing each figure as it
 * comes and a summary table at the end; writes everything as JSON to `resultsFile`. Returns the
 * results and whether every bench ran without throwing.
 */
export async function runBenches(benches, { filters = [], resultsFile } = {}) {
  const selected = benches
    .filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f.toLowerCase())))
    .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  if (selected.length === 0) {
    console.error(`No bench matches ${filters.map((f) => JSON.stringify(f)).join(', ')}. Benches: ${benches.map((b) => b.name).join(', ')}`);
    return { ok: false };
  }

  const machine = machineInfo();
  console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${formatBytes(machine.memory)} RAM, load ${machine.loadAverage.join(' ')}`);
  console.log(`Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}${machine.execArgv.length ? `, ${machine.execArgv.join(' ')}` : ''}`);
  if (!canCollectGarbage()) console.log('Warning: run node with --expose-gc; without it heap figures include garbage.');

  const startedAt = new Date();
  const started = now();
  const results = [];
  for (const bench of selected) {
    console.log(`\n▶ ${bench.name}: ${bench.title}`);
    const result = { name: bench.name, title: bench.title, figures: [], info: [], error: null, durationMs: 0 };
    results.push(result);
    const ctx = {
      figure(spec) {
        const figure = makeFigure(bench.name, spec);
        result.figures.push(figure);
        printFigure(figure);
        return figure;
      },
      info(name, value, unit, note) {
        const info = { name, value, unit, note };
        result.info.push(info);
        printInfo(info);
      },
      log(message) {
        console.log(`  ${message}`);
      },
    };
    const t0 = now();
    try {
      await bench.run(ctx);
    } catch (error) {
      result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`  ✗ ${bench.name} failed: ${result.error}`);
    }
    result.durationMs = now() - t0;
    console.log(`  (${(result.durationMs / 1000).toFixed(1)} s)`);
  }
  const durationMs = now() - started;

  printSummary(results, durationMs);
  const ok = results.every((r) => r.error === null);
  if (resultsFile) {
    mkdirSync(dirname(resultsFile), { recursive: true });
    const json = { startedAt: startedAt.toISOString(), durationMs, filters, machine: { ...machine, loadAverageAtEnd: os.loadavg() }, ok, benches: results };
    writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`Results written to ${resultsFile}`);
  }
  return { ok, results };
}

function printSummary(results, durationMs) {
  const rows = [['bench', 'figure', 'value', 'target', 'ratio', 'result', 'vs baseline']];
  for (const r of results) {
    if (r.error) rows.push([r.name, '(failed)', '', '', '', 'ERROR', '']);
    for (const f of r.figures) {
      rows.push([
        r.name,
        f.name,
        formatValue(f.value, f.unit),
        f.target === undefined ? '' : `${f.higherIsBetter ? '≥' : '≤'} ${formatValue(f.target, f.unit)}`,
        f.ratio === undefined ? '' : formatRatio(f.ratio),
        f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS',
        f.baseline ? `${formatRatio(f.baseline.ratio)} vs ${f.baseline.name}` : '',
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => [...row[c]].length)));
  const line = (row) => row.map((cell, c) => (c === 2 || c === 4 ? padStart(cell, widths[c]) : pad(cell, widths[c]))).join('  ').trimEnd();
  console.log(`\nSummary (${(durationMs / 1000).toFixed(1)} s)`);
  console.log(line(rows[0]));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  const figures = results.flatMap((r) => r.figures).filter((f) => f.pass !== undefined);
  const missed = figures.filter((f) => !f.pass).length;
  const failed = results.filter((r) => r.error).length;
  console.log(`\n${figures.length - missed}/${figures.length} targets met${failed ? `, ${failed} bench(es) failed` : ''}.`);
}
