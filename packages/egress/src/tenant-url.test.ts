import { AppError } from "@alfred/core";
import { describe, expect, it } from "vitest";
import { parseSsrfAllowlist } from "./allowlist";
import type { HostResolver } from "./policy";
import { validateTenantUrl } from "./tenant-url";
import { BLOCKED_HOSTS, fakeResolver, mustNotResolve } from "./testing";

type Policy = { allowlist?: ReturnType<typeof parseSsrfAllowlist>; resolve?: HostResolver };

/** A webhook destination's URL: kind http, 422 naming `url`. */
const validateDestinationUrl = (url: string, { allowlist, resolve }: Policy = {}) => validateTenantUrl(url, { kind: "http", path: "url" }, { ssrfAllowlist: allowlist, resolve });

describe("validateTenantUrl: http (destinations, Graph API, API channel)", () => {
  async function problem(url: string, options: Policy = {}): Promise<AppError> {
    try {
      await validateDestinationUrl(url, options);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "validation_error", path: "url", status: 422 });
      return error as AppError;
    }
    throw new Error(`expected ${url} to be rejected`);
  }

  it("accepts a public https URL and returns it parsed", async () => {
    const resolve = fakeResolver({ "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
    const url = await validateDestinationUrl("https://hooks.example.com/webhooks/abc?x=1", { resolve });
    expect(url.href).toBe("https://hooks.example.com/webhooks/abc?x=1");
    expect(resolve.calls).toEqual(["hooks.example.com"]);
  });

  it("accepts a public IP literal without resolving", async () => {
    await expect(validateDestinationUrl("http://8.8.8.8:8080/x", { resolve: mustNotResolve })).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ["ftp://example.com/file", /http or https, not ftp/],
    ["file:///etc/passwd", /http or https/],
    ["javascript:alert(1)", /http or https/],
    ["gopher://example.com:70/", /http or https/],
    ["ws://example.com/socket", /http or https/],
    ["http://user:pass@example.com/", /username or password/],
    ["https://user@example.com/", /username or password/],
    ["https://:pass@example.com/", /username or password/],
    ["not a url", /valid absolute URL/],
    ["/relative/path", /valid absolute URL/],
    ["http://", /valid absolute URL/],
    ["http://foo.123/", /valid absolute URL/],
    [`https://example.com/${"a".repeat(2100)}`, /at most 2048/],
  ])("rejects %s", async (url, message) => {
    expect((await problem(url, { resolve: mustNotResolve })).message).toMatch(message);
  });

  it.each(BLOCKED_HOSTS)("rejects the literal host %s (%s) without resolving", async (host) => {
    const error = await problem(`http://${host}/hook`, { resolve: mustNotResolve });
    expect(error.message).toMatch(/not allowed/);
  });

  it.each(["localhost", "LOCALHOST", "api.localhost", "localhost."])("rejects %s as loopback without resolving", async (host) => {
    expect((await problem(`http://${host}:3000/`, { resolve: mustNotResolve })).message).toMatch(/loopback/);
  });

  it.each([
    ["a name resolving to 127.0.0.1", ["127.0.0.1"], /resolves to 127\.0\.0\.1.*loopback/],
    ["a name resolving to the metadata address", ["169.254.169.254"], /metadata/],
    ["a name resolving to an IPv4-mapped private address", ["::ffff:192.168.0.10"], /IPv4-mapped/],
    ["a name resolving to ::1", ["::1"], /loopback/],
    ["mixed public and private answers", ["93.184.215.14", "10.0.0.5"], /10\.0\.0\.5.*RFC 1918/],
    ["mixed, private first", ["192.168.1.1", "93.184.215.14"], /192\.168\.1\.1/],
    ["no addresses at all", [], /could not be resolved/],
  ])("rejects %s", async (_name, addresses, message) => {
    const resolve = fakeResolver({ "rebind.test": addresses });
    expect((await problem("https://rebind.test/hook", { resolve })).message).toMatch(message);
  });

  it("rejects a name that does not resolve", async () => {
    expect((await problem("https://nxdomain.test/", { resolve: fakeResolver({}) })).message).toMatch(/could not be resolved/);
  });

  it("exempts exactly what the allow-list names", async () => {
    const allowlist = parseSsrfAllowlist("127.0.0.1:4000,localhost:5173,172.20.0.0/16");
    const resolve = fakeResolver({ "sink.test": ["127.0.0.1"], "docker.test": ["172.20.0.3"], localhost: ["127.0.0.1"] });
    await expect(validateDestinationUrl("http://127.0.0.1:4000/hook", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://sink.test:4000/hook", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://localhost:5173/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://docker.test:9999/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://2130706433:4000/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);

    expect((await problem("http://127.0.0.1:4001/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://127.0.0.1/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://sink.test:4001/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://localhost:4000/", { allowlist, resolve: mustNotResolve })).message).toMatch(/loopback/);
    expect((await problem("http://10.0.0.1:4000/", { allowlist, resolve })).message).toMatch(/RFC 1918/);
  });
});

describe("validateTenantUrl: smtp (an e-mail channel's server)", () => {
  const rules = { kind: "smtp", path: "config.smtp_url", label: "config.smtp_url" } as const;
  async function problem(url: string, policy: Policy = {}): Promise<AppError> {
    const error = await validateTenantUrl(url, rules, { ssrfAllowlist: policy.allowlist, resolve: policy.resolve ?? mustNotResolve }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, `${url} must be refused`).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "validation_error", path: "config.smtp_url" });
    return error as AppError;
  }

  it("accepts smtp and smtps URLs with credentials on public hosts", async () => {
    const resolve = fakeResolver({ "smtp.mailgun.org": ["34.160.1.1"] });
    await expect(validateTenantUrl("smtp://postmaster%40acme:p%40ss@smtp.mailgun.org:587", rules, { resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateTenantUrl("smtps://u:p@smtp.mailgun.org", rules, { resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateTenantUrl("smtps://u:p@8.8.8.8", rules, { resolve: mustNotResolve })).resolves.toBeInstanceOf(URL);
  });

  it.each(BLOCKED_HOSTS)("refuses smtp:// and smtps:// to %s (%s), naming the field", async (host) => {
    for (const url of [`smtp://${host}:25`, `smtp://user:secret@${host}`, `smtps://user:secret@${host}:465`]) {
      const error = await problem(url);
      expect(error.message).toMatch(/^config\.smtp_url (points to .* which is not allowed|has an invalid host)/);
      expect(error.message).not.toContain("secret");
    }
  });

  it("judges the default ports smtp 587 and smtps 465 against the allow-list", async () => {
    const allowlist = parseSsrfAllowlist("127.0.0.1:587");
    await expect(validateTenantUrl("smtp://127.0.0.1", rules, { ssrfAllowlist: allowlist })).resolves.toBeInstanceOf(URL);
    expect((await problem("smtps://127.0.0.1", { allowlist })).message).toMatch(/loopback/);
  });

  it.each([
    ["http://smtp.example.com", /must use smtp or smtps, not http/],
    ["smtp://smtp.example.com:587?proxy=socks5://127.0.0.1:1080", /\?options/],
    ["smtp://smtp.example.com:587?tls.rejectUnauthorized=false", /\?options/],
    ["smtp://sm%74p.example.com:587", /invalid host/],
    ["smtp://under_score.example.com", /invalid host/],
    ["smtp://", /must include a host|valid absolute URL/],
    ["not a url", /valid absolute URL/],
  ])("refuses %s", async (url, message) => {
    expect((await problem(url)).message).toMatch(message);
  });

  it("refuses a name that resolves to a private address, without echoing the password", async () => {
    const resolve = fakeResolver({ "mail.internal.test": ["10.0.0.25"] });
    const error = await problem("smtp://admin:hunter2@mail.internal.test:25", { resolve });
    expect(error.message).toBe('config.smtp_url host "mail.internal.test" resolves to 10.0.0.25, which is not allowed: private network (RFC 1918)');
  });
});

describe("validateTenantUrl: the field is named in path and message", () => {
  it("labels a channel's api_base_url", async () => {
    const error = await validateTenantUrl("http://169.254.169.254/v21.0", { kind: "http", path: "config.api_base_url", label: "config.api_base_url" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ path: "config.api_base_url", message: "config.api_base_url points to 169.254.169.254, which is not allowed: cloud metadata service (link-local)" });
  });
});
