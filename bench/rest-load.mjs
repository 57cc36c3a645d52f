// The load generator of rest.bench.mjs, run in its own process so that it does not share the
// server's event loop: `concurrency` keep-alive connections, each sending its next GET as soon as
// the previous answer is read, for `warmupMs` (not counted) and then `durationMs`. Every answer
// must be a 200 with the expected number of items; prints one JSON line with the counts.
//
//   node rest-load.mjs '{"url":"http://127.0.0.1:1234/api/customers/X/history?limit=50","concurrency":48,"warmupMs":1000,"durationMs":4000,"items":50}'

import http from 'node:http';

const { url, concurrency, warmupMs, durationMs, headers = {}, items } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);

let counting = false;
let stopping = false;
let done = 0;
let warmupDone = 0;
let failed = 0;
let bytes = 0;
const latencies = [];

function once() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      // Parse one answer in 64, so the generator keeps up while still checking the answers are real.
      const check = (done + failed) % 64 === 0;
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (check) chunks.push(chunk);
      });
      res.on('end', () => {
        let ok = res.statusCode === 200;
        if (ok && check) ok = JSON.parse(Buffer.concat(chunks).toString('utf8')).items.length === items;
        if (!counting) warmupDone++;
        if (counting) {
          if (ok) done++;
          else failed++;
          bytes += size;
          latencies.push(performance.now() - started);
        }
        resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function worker() {
  while (!stopping) await once();
}

const cpuBefore = process.cpuUsage();
const workers = Array.from({ length: concurrency }, worker);
await new Promise((resolve) => setTimeout(resolve, warmupMs));
counting = true;
const start = performance.now();
await new Promise((resolve) => setTimeout(resolve, durationMs));
counting = false;
const seconds = (performance.now() - start) / 1000;
stopping = true;
await Promise.all(workers);
agent.destroy();
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(`${JSON.stringify({ done, warmupDone, failed, seconds, bytes, p50: at(0.5), p99: at(0.99), cpuMicros: cpu.user + cpu.system })}\n`);
