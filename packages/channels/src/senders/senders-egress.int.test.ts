import { createEgressClient, parseSsrfAllowlist, type EgressClient } from "@alfred/egress";
import { BLOCKED_HOSTS, fakeResolver, startConnectionTrap, type ConnectionTrap } from "@alfred/egress/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeSmtpServer, type FakeSmtpServer } from "../testing/fake-smtp-server";
import { TEST_SMTP_HOSTNAME, TEST_TLS_CERT } from "../testing/tls-identity";
import type { ChannelType } from "../types";
import { ProviderSendError } from "./errors";
import { sendMessage } from "./index";

/**
 * Every URL a tenant can set on a channel, sent to through the guard: refused before connecting
 * (nothing reaches the trap listening on loopback), and stored as "address not allowed" only.
 */

/** Each tenant-settable URL field, as the worker would pass it: (config, secrets) for a URL. */
const URL_FIELDS: { field: string; type: ChannelType; settings: (url: string) => { config: Record<string, unknown>; secrets: Record<string, unknown> }; urls: (host: string, port: number) => string[] }[] = [
  { field: "whatsapp config.api_base_url", type: "whatsapp", settings: (url) => ({ config: { phone_number_id: "1", api_base_url: url }, secrets: { access_token: "t" } }), urls: httpForms },
  { field: "messenger config.api_base_url", type: "messenger", settings: (url) => ({ config: { page_id: "1", api_base_url: url }, secrets: { page_access_token: "t" } }), urls: httpForms },
  { field: "instagram config.api_base_url", type: "instagram", settings: (url) => ({ config: { instagram_account_id: "1", api_base_url: url }, secrets: { access_token: "t" } }), urls: httpForms },
  { field: "api config.send_url", type: "api", settings: (url) => ({ config: { send_url: url }, secrets: { secret: "s" } }), urls: httpForms },
  { field: "email secrets.smtp_url", type: "email", settings: (url) => ({ config: { inbound_address: "support@acme.test" }, secrets: { smtp_url: url } }), urls: smtpForms },
  { field: "email config.smtp_url", type: "email", settings: (url) => ({ config: { inbound_address: "support@acme.test", smtp_url: url }, secrets: {} }), urls: smtpForms },
];

function httpForms(host: string, port: number): string[] {
  return [`http://${host}:${port}/v21.0`, `https://${host}:${port}/hook`];
}

function smtpForms(host: string, port: number): string[] {
  return [`smtp://${host}:${port}`, `smtps://user:secret@${host}:${port}`];
}

async function failure(promise: Promise<unknown>, what: string): Promise<ProviderSendError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, what).toBeInstanceOf(ProviderSendError);
  return error as ProviderSendError;
}

describe("a channel URL pointing inside is refused at send, for every tenant-settable field", () => {
  let trap: ConnectionTrap;
  let egress: EgressClient;
  beforeAll(async () => {
    trap = await startConnectionTrap();
    // DNS answers that changed since the URL was saved: the name now resolves inside.
    egress = createEgressClient({ ssrfAllowlist: parseSsrfAllowlist(""), resolve: fakeResolver({ "graph.rebound.test": ["127.0.0.1"], "smtp.rebound.test": ["::1"] }) });
  });
  afterAll(async () => {
    await egress.close();
    await trap.close();
  });

  describe.each(URL_FIELDS)("$field", ({ type, settings, urls }) => {
    it.each(BLOCKED_HOSTS)("refuses %s (%s) with 'address not allowed', final", async (host) => {
      for (const url of urls(host, trap.port)) {
        const error = await failure(sendMessage(type, { egress, to: type === "email" ? "c@example.org" : "x", body: "hi", ...settings(url) }), url);
        expect(error, url).toMatchObject({ message: "address not allowed", kind: "address_not_allowed", retryable: false });
      }
      expect(trap.connections).toBe(0);
    });

    it("refuses a name that resolves inside now", async () => {
      for (const host of ["graph.rebound.test", "smtp.rebound.test"]) {
        for (const url of urls(host, trap.port)) {
          const error = await failure(sendMessage(type, { egress, to: type === "email" ? "c@example.org" : "x", body: "hi", ...settings(url) }), url);
          expect(error, url).toMatchObject({ message: "address not allowed", retryable: false });
        }
      }
      expect(trap.connections).toBe(0);
    });
  });
});

describe("SMTP through the guard: TCP to the checked address, TLS with the name in the URL", () => {
  let smtps: FakeSmtpServer;
  let starttls: FakeSmtpServer;
  const clients: EgressClient[] = [];

  /** Resolves the certificate's name to loopback, allows only `server`, trusts only the test certificate. */
  function trustingClientFor(server: FakeSmtpServer): EgressClient {
    const port = new URL(server.url).port;
    const client = createEgressClient({ ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${port}`), resolve: fakeResolver({ [TEST_SMTP_HOSTNAME]: ["127.0.0.1"] }) });
    clients.push(client);
    return { ...client, smtpTransport: (url, options) => client.smtpTransport(url, { ...options, ca: TEST_TLS_CERT }) };
  }
  const mail = (egress: EgressClient, smtpUrl: string) =>
    sendMessage("email", { egress, config: { inbound_address: "support@acme.test" }, secrets: { smtp_url: smtpUrl }, to: "customer@example.org", body: "Over TLS" });

  beforeAll(async () => {
    smtps = await startFakeSmtpServer({ tls: "implicit" });
    starttls = await startFakeSmtpServer({ tls: "starttls" });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await smtps.close();
    await starttls.close();
  });

  it("smtps: the socket goes to 127.0.0.1, the handshake asks for and verifies smtp.alfred.test", async () => {
    const port = new URL(smtps.url).port;
    await mail(trustingClientFor(smtps), `smtps://postmaster%40acme:s3cret@${TEST_SMTP_HOSTNAME}:${port}`);
    expect(smtps.connections).toEqual([{ remoteAddress: "127.0.0.1", tlsServername: TEST_SMTP_HOSTNAME }]);
    expect(smtps.authenticatedUsers).toEqual(["postmaster@acme"]);
    expect(smtps.messages.map((m) => m.rcptTo)).toEqual([["customer@example.org"]]);
  });

  it("STARTTLS: upgraded on the same checked socket, with the same name", async () => {
    const port = new URL(starttls.url).port;
    await mail(trustingClientFor(starttls), `smtp://${TEST_SMTP_HOSTNAME}:${port}`);
    expect(starttls.commands).toContain("STARTTLS");
    expect(starttls.connections).toEqual([{ remoteAddress: "127.0.0.1", tlsServername: TEST_SMTP_HOSTNAME }]);
    expect(starttls.messages).toHaveLength(1);
  });

  it("the certificate is checked against the URL's host: by IP the same server is refused", async () => {
    const before = smtps.messages.length;
    const error = await failure(mail(trustingClientFor(smtps), smtps.url), smtps.url);
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toMatch(/altnames/);
    expect(smtps.messages).toHaveLength(before);
  });
});
