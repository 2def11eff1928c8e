// Playground benchmark: the first load's transfer size (gzip-compressed wasm + js + html + the
// text font, as a web host or `rapport serve` sends them; the CJK font comes only when needed),
// the time to the first ImGui frame in headless Chromium (from navigation start, median of
// several fresh loads) and the CPU an idle page uses. Targets: under 1 MB, 1 s, near zero CPU.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser, openPage, serve, waitFirstFrame, webDir } from './harness.mjs';

const runs = Number(process.env.BENCH_RUNS || 5);
const dir = webDir();

let total = 0;
const parts = [];
for (const name of readdirSync(dir).sort()) {
  if (!/\.(html|js|wasm|data)$/.test(name) && name !== 'font-ui.ttf') continue;
  const bytes = readFileSync(resolve(dir, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  parts.push(`${name} ${(bytes.length / 1024).toFixed(0)} KiB -> ${(gz / 1024).toFixed(0)} KiB`);
}

const server = await serve(dir);
const browser = await launchBrowser();
const times = [];
let transferred = 0;
let idleCpu = null;
let idleFrames = null;
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
    if (i === 0) {
      // Idle: a live episode on screen, nobody touching it. CPU time of the page's main thread
      // over 3 s of wall time, and the frames drawn meanwhile.
      await page.evaluate(() => window.rapport.newEpisode('travel', 1));
      await page.waitForTimeout(1000);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const metric = async (name) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name).value;
      const frames0 = (await page.evaluate(() => window.rapport.state())).frames_drawn;
      const t0 = await metric('TaskDuration');
      const wall0 = Date.now();
      await page.waitForTimeout(3000);
      const t1 = await metric('TaskDuration');
      idleCpu = (t1 - t0) / ((Date.now() - wall0) / 1000);
      idleFrames = (await page.evaluate(() => window.rapport.state())).frames_drawn - frames0;
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log('playground files (raw -> gzip -9): ' + parts.join(', '));
console.log(`first-load transfer size (gzip, wasm + js + html + text font): ${total} bytes ` +
  `(${(total / 1048576).toFixed(2)} MiB; target < 1 MB)`);
console.log(`bytes on the wire from rapport serve (gzip -9, as it serves): ${transferred}`);
console.log(`time to first frame in headless Chromium: median ${median.toFixed(0)} ms over ${runs} loads ` +
  `(min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}; target < 1000 ms)`);
console.log(`idle page: ${(idleCpu * 100).toFixed(2)}% of a core, ${idleFrames} frames drawn in 3 s (target: near zero)`);
