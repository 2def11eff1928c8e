// Playground benchmark: the page's transfer size (gzip-compressed wasm + js + html, as a web host
// or `rapport serve` sends them) and the time to the first ImGui frame in headless Chromium
// (from navigation start, median of several fresh loads). Targets: at most 2 MB and 2 s.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser, openPage, serve, waitFirstFrame, webDir } from './harness.mjs';

const runs = Number(process.env.BENCH_RUNS || 5);
const dir = webDir();

let total = 0;
const parts = [];
for (const name of readdirSync(dir).sort()) {
  if (!/\.(html|js|wasm|data)$/.test(name)) continue;
  const bytes = readFileSync(resolve(dir, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  parts.push(`${name} ${(bytes.length / 1024).toFixed(0)} KiB -> ${(gz / 1024).toFixed(0)} KiB`);
}

const server = await serve(dir);
const browser = await launchBrowser();
const times = [];
let transferred = 0;
try {
  for (let i = 0; i < runs; ++i) {
    const { page, context } = await openPage(browser, null);
    let bytes = 0;
    page.on('response', async (r) => {
      const length = Number((await r.allHeaders())['content-length'] || 0);
      bytes += length;
    });
    await page.goto(server.url);
    await waitFirstFrame(page, 60000);
    times.push(await page.evaluate(() => window.rapport.firstFrameMs));
    await page.waitForTimeout(200);
    transferred = bytes;
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log('playground files (raw -> gzip -9): ' + parts.join(', '));
console.log(`transfer size (gzip, wasm + js + html): ${total} bytes (${(total / 1048576).toFixed(2)} MiB; target <= 2 MB)`);
console.log(`bytes on the wire from rapport serve (gzip -6): ${transferred}`);
console.log(`time to first frame in headless Chromium: median ${median.toFixed(0)} ms over ${runs} loads ` +
  `(min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}; target <= 2000 ms)`);
