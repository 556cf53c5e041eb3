import { expect, test } from "@playwright/test";
import { DEMO, mainNav, signIn, signOut } from "./helpers";

test("sign up creates a workspace and lands in the app shell; sign out returns to login", async ({ page }) => {
  const email = `founder-${Date.now()}@example.test`;
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Fiona Founder");
  await page.getByLabel("Company or team").fill("Fiona's Flowers");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("a-good-password");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByTestId("current-user")).toHaveText("Fiona Founder");
  await expect(page.getByTestId("current-role")).toHaveText("admin");
  for (const area of ["Inbox", "Deliveries", "Settings"]) await expect(mainNav(page).getByRole("link", { name: area })).toBeVisible();

  await signOut(page);
  await page.goto("/inbox");
  await expect(page).toHaveURL(/\/login/);
});

test("a wrong password shows an error and stays on the login page", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(DEMO.manager.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong e-mail or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("the seeded agent sees no Settings or Deliveries, and Settings answers 403", async ({ page }) => {
  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(mainNav(page).getByRole("link", { name: "Inbox" })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Settings" })).toHaveCount(0);
  await expect(mainNav(page).getByRole("link", { name: "Deliveries" })).toHaveCount(0);
  await page.goto("/settings/users");
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  const refused = await page.request.get("/api/trpc/users.list");
  expect(refused.status()).toBe(403);
});

test("an admin creates an agent in Settings -> Users, who can then sign in as an agent", async ({ page }) => {
  const email = `new-agent-${Date.now()}@example.test`;
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await mainNav(page).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/users$/);
  await expect(page.getByTestId(`user-row-${DEMO.agent.email}`)).toBeVisible();

  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Name").fill("Nico Newhire");
  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("Role").selectOption("agent");
  await form.getByLabel("Initial password").fill("welcome-aboard");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toContainText("Nico Newhire can now sign in as agent");
  await expect(page.getByTestId(`user-row-${email}`)).toBeVisible();

  await signOut(page);
  await signIn(page, email, "welcome-aboard");
  await expect(page.getByTestId("current-user")).toHaveText("Nico Newhire");
  await expect(page.getByTestId("current-role")).toHaveText("agent");
  await expect(mainNav(page).getByRole("link", { name: "Settings" })).toHaveCount(0);
});

test("browser sign-in is throttled: the 11th attempt for one e-mail gets 429 with Retry-After", async ({ page }) => {
  const email = `throttled-${Date.now()}@example.test`;
  const attempt = async () => {
    const { csrfToken } = await (await page.request.get("/api/auth/csrf")).json();
    return page.request.post("/api/auth/callback/credentials", { form: { email, password: "wrong-password", csrfToken, json: "true" } });
  };
  for (let i = 0; i < 10; i++) expect((await attempt()).status()).not.toBe(429);
  const locked = await attempt();
  expect(locked.status()).toBe(429);
  expect(Number(locked.headers()["retry-after"])).toBeGreaterThan(0);
  expect((await locked.json()).error.code).toBe("rate_limited");

  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Too many failed attempts" })).toBeVisible();
});
