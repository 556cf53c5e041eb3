import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSsrfAllowlist } from "./allowlist";
import { SsrfBlockedError } from "./guard";
import { createGuardedSmtpTransport } from "./smtp";
import { BLOCKED_HOSTS, fakeResolver, startConnectionTrap, type ConnectionTrap } from "./testing";

// nodemailer is handed sockets this package opened, or none: the trap on loopback counts every
// connection that reaches it. The full SMTP dialogue (and TLS with the URL's name) is proven by the
// e-mail sender's tests against a fake SMTP server.
let trap: ConnectionTrap;
const mail = { from: "support@acme.test", to: "customer@example.org", subject: "s", text: "t" };

beforeAll(async () => {
  trap = await startConnectionTrap();
});
afterAll(() => trap.close());

async function refusal(url: string, policy: Parameters<typeof createGuardedSmtpTransport>[1]): Promise<SsrfBlockedError> {
  const attempt = async () => {
    const transport = createGuardedSmtpTransport(url, policy, { timeoutMs: 2000 });
    try {
      await transport.sendMail(mail);
    } finally {
      transport.close();
    }
  };
  const error = await attempt().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(SsrfBlockedError);
  return error as SsrfBlockedError;
}

describe("createGuardedSmtpTransport", () => {
  it.each(BLOCKED_HOSTS)("never connects to %s (%s), over smtp or smtps", async (host) => {
    const policy = { ssrfAllowlist: parseSsrfAllowlist("") };
    for (const url of [`smtp://${host}:${trap.port}`, `smtps://user:secret@${host}:${trap.port}`]) {
      const error = await refusal(url, policy);
      expect(error.message).toBe("address not allowed");
    }
    expect(trap.connections).toBe(0);
  });

  it("refuses a name that resolves to loopback, and ?options that could name a proxy", async () => {
    const resolve = fakeResolver({ "smtp.rebind.test": ["127.0.0.1"] });
    expect((await refusal(`smtp://smtp.rebind.test:${trap.port}`, { ssrfAllowlist: parseSsrfAllowlist(""), resolve })).message).toBe("address not allowed");
    const allowed = { ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${trap.port}`), resolve };
    expect((await refusal(`smtp://127.0.0.1:${trap.port}?proxy=socks5://127.0.0.1:${trap.port}`, allowed)).message).toMatch(/\?options/);
    expect(trap.connections).toBe(0);
  });

  it("connects to the address the allow-listed name was checked at (a name no real DNS knows)", async () => {
    const resolve = fakeResolver({ "smtp.sink.test": ["127.0.0.1"] });
    const transport = createGuardedSmtpTransport(`smtp://smtp.sink.test:${trap.port}`, { ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${trap.port}`), resolve }, { timeoutMs: 300 });
    try {
      // The trap never greets, so the send times out; what matters is where the socket went.
      await expect(transport.sendMail(mail)).rejects.toMatchObject({ code: "ETIMEDOUT" });
    } finally {
      transport.close();
    }
    expect(resolve.calls).toEqual(["smtp.sink.test"]);
    expect(trap.connections).toBe(1);
  });
});
