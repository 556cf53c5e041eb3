import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { DEMO, signIn } from "./helpers";

/**
 * Issue #16 through the production server: the sign-in form always comes back from a refusal,
 * every page and API answer carries the security headers (and the pages still work under the
 * CSP), and a broken percent-escape is a JSON 400 from the real Next.js routing.
 */

const submitButton = (page: Page) => page.getByRole("button", { name: "Sign in" });
/** The form's own alert (Next.js has an empty route announcer with the same role). */
const formAlert = (page: Page) => page.getByRole("form", { name: "Sign in" }).getByRole("alert");

async function submitLogin(page: Page, email: string, password: string) {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await submitButton(page).click();
}

/** Sign-in attempts through next-auth's own endpoint, as the form makes them. */
async function credentialsAttempt(page: Page, form: Record<string, string>, headers: Record<string, string> = {}): Promise<APIResponse> {
  const { csrfToken } = await (await page.request.get("/api/auth/csrf")).json();
  return page.request.post("/api/auth/callback/credentials", { form: { ...form, csrfToken, json: "true" }, headers });
}

test.describe("the sign-in form recovers from every refusal", () => {
  test("a real 413 (a 20,000-character password) re-enables the form with a message, and the next try works", async ({ page }) => {
    await page.goto("/login");
    const answer = page.waitForResponse((res) => res.url().endsWith("/api/auth/callback/credentials"));
    await submitLogin(page, DEMO.agent.email, "x".repeat(20_000));
    expect((await answer).status()).toBe(413);
    await expect(formAlert(page)).toHaveText("That e-mail or password is far too long.");
    await expect(submitButton(page)).toBeEnabled();
    await submitLogin(page, DEMO.agent.email, DEMO.agent.password);
    await expect(page).toHaveURL(/\/inbox$/);
  });

  test("a 413 without the url next-auth expects (a proxy's answer) and a dropped connection also recover", async ({ page }) => {
    await page.goto("/login");
    await page.route("**/api/auth/callback/credentials", (route) => route.fulfill({ status: 413, contentType: "text/html", body: "<h1>413 Request Entity Too Large</h1>" }), { times: 1 });
    await submitLogin(page, DEMO.agent.email, DEMO.agent.password);
    await expect(formAlert(page)).toHaveText("Sign-in did not go through. Check your connection and try again.");
    await expect(submitButton(page)).toBeEnabled();

    await page.route("**/api/auth/callback/credentials", (route) => route.abort("connectionreset"), { times: 1 });
    await submitButton(page).click();
    await expect(formAlert(page)).toHaveText("Sign-in did not go through. Check your connection and try again.");
    await expect(submitButton(page)).toBeEnabled();
  });

  test("a real 429 (an e-mail locked out) re-enables the form with a message", async ({ page }) => {
    const email = `locked-${Date.now()}@example.test`;
    // The guessing comes from an address of its own, so the suite's shared address stays fresh.
    for (let i = 0; i < 10; i++) expect((await credentialsAttempt(page, { email, password: "wrong-password" }, { "x-forwarded-for": "192.0.2.77" })).status()).toBe(401);
    await page.goto("/login");
    const answer = page.waitForResponse((res) => res.url().endsWith("/api/auth/callback/credentials"));
    await submitLogin(page, email, "wrong-password");
    expect((await answer).status()).toBe(429);
    await expect(formAlert(page)).toHaveText("Too many failed attempts. Wait a few minutes and try again.");
    await expect(submitButton(page)).toBeEnabled();
  });

  test("a NUL in the e-mail is a 422 with a url, not a 500", async ({ page }) => {
    const res = await credentialsAttempt(page, { email: "a\u0000@x.y", password: "p" });
    expect(res.status()).toBe(422);
    const body = await res.json();
    expect(body.url).toContain("/login?error=");
    expect(body.error).toMatchObject({ code: "validation_error", path: "email" });
  });
});

test.describe("security headers", () => {
  function expectPageHeaders(headers: Record<string, string>) {
    const policy = headers["content-security-policy"] ?? "";
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"]).toBe("DENY");
    // Served over plain HTTP here: no HSTS.
    expect(headers["strict-transport-security"]).toBeUndefined();
  }

  /** Loads a page, collecting what the browser refused under the policy and any page error. */
  async function visit(page: Page, path: string) {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const response = await page.goto(path);
    return { headers: response!.headers(), problems };
  }

  test("on /login and /docs/api, with a fresh nonce per request and nothing refused", async ({ page }) => {
    const login = await visit(page, "/login");
    expectPageHeaders(login.headers);
    // Hydrated under the policy: the form is React's (a client-side refusal message appears).
    await submitLogin(page, "nobody@example.test", "wrong-password");
    await expect(formAlert(page)).toHaveText("Wrong e-mail or password.");

    const docs = await visit(page, "/docs/api");
    expectPageHeaders(docs.headers);
    await expect(page.getByText("/api/v1/auth/register")).toBeVisible();
    expect(docs.headers["content-security-policy"]).not.toBe(login.headers["content-security-policy"]);
    expect([...login.problems, ...docs.problems]).toEqual([]);
  });

  test("on /inbox, which still works under the policy", async ({ page }) => {
    await signIn(page, DEMO.agent.email, DEMO.agent.password);
    const inbox = await visit(page, "/inbox");
    expectPageHeaders(inbox.headers);
    // Client-side navigation and a keyboard shortcut: the app's scripts run under the policy.
    await page.getByRole("tab", { name: "Mine" }).click();
    await expect(page).toHaveURL(/view=mine/);
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    expect(inbox.problems).toEqual([]);
  });

  test("on API answers: nothing may run or be framed", async ({ request }) => {
    for (const path of ["/api/health", "/api/v1/me", "/api/v1/openapi.json", "/v1/automations/destinations"]) {
      const headers = (await request.get(path)).headers();
      expect(headers["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers["x-content-type-options"], path).toBe("nosniff");
      expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    }
  });

  test("HSTS when the request came over HTTPS (as the TLS proxy in front says)", async ({ request }) => {
    const headers = (await request.get("/login", { headers: { "x-forwarded-proto": "https" } })).headers();
    expect(headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(headers["content-security-policy"]).toContain("upgrade-insecure-requests");
  });
});

test.describe("a broken percent-escape in a path id", () => {
  for (const path of ["/api/v1/users/%E0%A4%A", "/api/v1/conversations/%E0%A4%A/messages", "/v1/automations/destinations/%E0%A4%A"]) {
    test(`GET ${path} is a JSON 400 from the real server`, async ({ request }) => {
      const res = await request.get(path);
      expect(res.status()).toBe(400);
      expect(res.headers()["content-type"]).toContain("application/json");
      expect(await res.json()).toEqual({ error: { code: "bad_request", message: expect.stringContaining("not valid percent-encoded UTF-8"), correlation_id: expect.any(String), path: expect.any(String) } });
      expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    });
  }
});
