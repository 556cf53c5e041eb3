import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { withCorrelationId } from "./correlation";
import { createLogger } from "./logger";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("test", "info", stream), output: () => lines.join("") };
}

/** What drizzle throws for a failed query: the values are in `params` and in the message. */
function failedQuery() {
  const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_lower_key"'), { code: "23505" });
  return Object.assign(new Error('Failed query: insert into "users" ("email", "password_hash") values ($1, $2)\nparams: ann@example.test,$argon2id$v=19$m=65536$SECRETHASH'), {
    query: 'insert into "users" ("email", "password_hash") values ($1, $2)',
    params: ["ann@example.test", "$argon2id$v=19$m=65536$SECRETHASH"],
    cause,
  });
}

describe("logger", () => {
  it("keeps a failed query's text and cause but never its values", () => {
    const { logger, output } = capture();
    logger.error({ err: failedQuery() }, "procedure failed");
    const text = output();
    expect(text).not.toContain("SECRETHASH");
    expect(text).toContain("Failed query: insert into");
    expect(text).toContain("users_email_lower_key");
  });

  it("redacts credential fields by name", () => {
    const { logger, output } = capture();
    logger.info({ password: "hunter2-hunter2", headers: { authorization: "Bearer abc.def.ghi" }, body: { secret: "whsec_topsecret" } }, "request");
    const text = output();
    for (const secret of ["hunter2-hunter2", "abc.def.ghi", "whsec_topsecret"]) expect(text).not.toContain(secret);
  });

  it("redacts a destination's static credential, as input and as returned once", () => {
    const { logger, output } = capture();
    logger.info({ input: { credential: { kind: "header", header_name: "X-Flow", value: "flow-token-value" } }, result: { credential_secret: "generated-credential" } }, "mutation");
    const text = output();
    for (const secret of ["flow-token-value", "generated-credential"]) expect(text).not.toContain(secret);
  });

  it("redacts secrets, tokens, authorization, cookies and signatures at any depth", () => {
    const { logger, output } = capture();
    const secrets = ["S1-bearer", "S2-cookie", "S3-hubsig", "S4-alfredsig", "S5-appsecret", "S6-apikey", "S7-refresh", "S8-signing", "S9-setcookie", "S10-verify"];
    logger.warn(
      {
        request: { headers: { Authorization: "Bearer S1-bearer", Cookie: "session=S2-cookie", "X-Hub-Signature-256": "sha256=S3-hubsig", "x-alfred-signature": "v1=S4-alfredsig" } },
        channel: { secrets: { app_secret: "S5-appsecret" }, config: [{ api_key: "S6-apikey" }] },
        tokens: { refresh_token: "S7-refresh" },
        destination: { deep: { deeper: { signing_key: "S8-signing" } } },
        response: { headers: new Headers({ "set-cookie": "sid=S9-setcookie" }) },
        verify_token: "S10-verify",
        keep: "visible-value",
      },
      "hostile structure",
    );
    const text = output();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("visible-value");
    expect(JSON.parse(text).request.headers.Authorization).toBe("[redacted]");
  });

  it("puts the current correlation id on every line, and an explicit one wins", () => {
    const { logger, output } = capture();
    withCorrelationId("req-42", () => {
      logger.info("inside");
      logger.child({ queue: "q" }).info("child inside");
      logger.info({ correlation_id: "explicit-1" }, "explicit");
    });
    logger.info("outside");
    const lines = output().trim().split("\n").map((line) => JSON.parse(line) as { correlation_id?: string });
    expect(lines.map((line) => line.correlation_id)).toEqual(["req-42", "req-42", "explicit-1", undefined]);
  });
});
