import { createServer } from "node:http";

/**
 * The receiver deliveries go to, in a process of its own so it does not share an event loop with
 * what is measured: answers 200 at once (or 500 to the first try of each event in `fail-first`
 * mode), and remembers when each event id first arrived. `GET /stats` reports them.
 */
const port = Number(process.argv[2]);
let failFirst = false;
let count = 0;
const arrivals = new Map<string, number[]>();

const server = createServer((req, res) => {
  if (req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ count, arrivals: Object.fromEntries(arrivals) }));
    return;
  }
  if (req.url?.startsWith("/reset")) {
    count = 0;
    arrivals.clear();
    failFirst = req.url.includes("fail-first");
    res.end("reset");
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const at = Date.now();
    count++;
    const id = String(req.headers["x-alfred-event-id"] ?? `anonymous-${count}`);
    const seen = arrivals.get(id);
    if (seen) seen.push(at);
    else arrivals.set(id, [at]);
    const fail = failFirst && !seen;
    res.writeHead(fail ? 500 : 200, { "content-type": "text/plain" });
    res.end(fail ? "try again" : "ok");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.log(`sink listening on ${port}`));
