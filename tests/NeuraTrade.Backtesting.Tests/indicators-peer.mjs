// The peer for the indicator cross-check: technicalindicators 3.1.0 (package.json) over the same inputs the
// engine uses, i.e. every window of WINDOW closed candles of a CSV in the bundled format.
// Usage: node indicators-peer.mjs FILE.csv WINDOW  -> JSON {"windows":[{"end":i,"ema9":..,"ema21":..,"atr14":..,"rsi14":..,"roc3":..},...]}
// RSI: technicalindicators' RSI rounds to 2 decimals, so RSI is computed here from its own AverageGain and
// AverageLoss (the same Wilder averages its RSI uses), with its RSI's formula and edge cases.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [file, windowText] = process.argv.slice(2);
// Resolve technicalindicators from the repository (node_modules at the root), whatever the working folder.
const require = createRequire(pathToFileURL(path.join(process.env.NT_REPO_ROOT ?? process.cwd(), 'package.json')));
const ti = require('technicalindicators');

const window = Number(windowText);
const rows = readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1).map(l => l.split(',').map(Number));
const last = a => (a.length ? a[a.length - 1] : null);
const out = [];
for (let end = window - 1; end < rows.length; end++) {
  const w = rows.slice(end - window + 1, end + 1);
  const high = w.map(r => r[2]), low = w.map(r => r[3]), close = w.map(r => r[4]);
  const gain = last(ti.AverageGain.calculate({ period: 14, values: close }));
  const loss = last(ti.AverageLoss.calculate({ period: 14, values: close }));
  const rsi = loss === 0 ? 100 : gain === 0 ? 0 : 100 - 100 / (1 + gain / loss);
  out.push({
    end,
    ema9: last(ti.EMA.calculate({ period: 9, values: close })),
    ema21: last(ti.EMA.calculate({ period: 21, values: close })),
    atr14: last(ti.ATR.calculate({ period: 14, high, low, close })),
    rsi14: rsi,
    roc3: last(ti.ROC.calculate({ period: 3, values: close })),
  });
}
process.stdout.write(JSON.stringify({ windows: out }));
