import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";

/**
 * The floor for webhook intake: a bare Node http server that reads the body, checks an HMAC-SHA256
 * signature and inserts one row with the bytes, then answers 200. What Alfred's route does, minus
 * Next.js, the channel lookup and everything else.
 */
const [port, databaseUrl, secret] = [Number(process.argv[2]), process.argv[3]!, process.argv[4]!];
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query("create table if not exists bench_bare_receipts (id bigint generated always as identity primary key, body bytea not null, received_at timestamptz not null default now())");

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
    const given = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    pool.query("insert into bench_bare_receipts (body) values ($1)", [body]).then(
      () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      },
      () => res.writeHead(503).end(),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.log(`bare intake listening on ${port}`));
