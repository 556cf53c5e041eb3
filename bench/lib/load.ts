import autocannon from "autocannon";
import { cpuMs } from "./processes";

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** CPU time (ms) the server process (`serverPid`) spent per request of the measured run. */
  cpuMsPerRequest?: number;
}

/**
 * A closed-loop HTTP load (`connections` requests in flight, each sent as soon as the previous one
 * answered) for `seconds`, with a fresh request from `next()` every time (autocannon: keep-alive,
 * HDR latency histograms). A short warm-up run is made and discarded first.
 */
export async function closedLoop(o: { url: string; connections: number; seconds: number; next: () => { body: string; headers: Record<string, string> }; warmupSeconds?: number; serverPid?: number }): Promise<LoadResult> {
  const run = (seconds: number) =>
    autocannon({
      url: o.url,
      connections: o.connections,
      duration: seconds,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => {
            const { body, headers } = o.next();
            return { ...request, method: "POST", body, headers };
          },
        },
      ],
    });
  if (o.warmupSeconds !== 0) await run(o.warmupSeconds ?? 3);
  const cpuBefore = o.serverPid ? cpuMs(o.serverPid) : 0;
  const result = await run(o.seconds);
  const cpuSpent = o.serverPid ? cpuMs(o.serverPid) - cpuBefore : 0;
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
    ...(o.serverPid && result.requests.total ? { cpuMsPerRequest: cpuSpent / result.requests.total } : {}),
  };
}
