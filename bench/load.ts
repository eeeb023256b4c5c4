// The load generator of the API benchmark, run by bench/api.ts as its own process: one autocannon
// run (no pipelining) for warm-up + measured seconds on the same connections; only responses that
// arrive inside the measured window count. (Separate autocannon runs would start every connection at
// once, and a slow system's first responses would all land together after the window.)
// Arguments: a JSON object { url, headers, body, connections, warmUpSeconds, seconds }.
// Prints one JSON line: { requests, seconds, p50Ms, p99Ms, errors }.
import autocannon from "autocannon";

interface LoadArguments {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  warmUpSeconds: number;
  seconds: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as LoadArguments;
const latencies: number[] = [];
let errors = 0;
let measuring = false;
let windowStart = 0;
let windowEnd = 0;

let finish: (error?: unknown) => void = () => {};
const finished = new Promise<void>((resolve, reject) => {
  finish = (error) => (error ? reject(error) : resolve());
});
const instance = autocannon(
  {
    url: args.url,
    method: "POST",
    headers: args.headers,
    body: args.body,
    connections: args.connections,
    pipelining: 1,
    // Slow answers are counted as slow, not dropped as timeouts.
    timeout: 60,
    duration: args.warmUpSeconds + args.seconds + 1,
  },
  (error) => finish(error),
);
instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
  if (!measuring) return;
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  else errors++;
});
instance.on("reqError", () => {
  if (measuring) errors++;
});
setTimeout(() => {
  measuring = true;
  windowStart = performance.now();
  setTimeout(() => {
    measuring = false;
    windowEnd = performance.now();
    instance.stop();
  }, args.seconds * 1000);
}, args.warmUpSeconds * 1000);

await finished;
latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies.length === 0
    ? 0
    : (latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    seconds: (windowEnd - windowStart) / 1000,
    p50Ms: Math.round(percentile(0.5) * 10) / 10,
    p99Ms: Math.round(percentile(0.99) * 10) / 10,
    errors,
  })}\n`,
);
