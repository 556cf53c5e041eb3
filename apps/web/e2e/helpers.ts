import { expect, type Page } from "@playwright/test";

export const DEMO = {
  admin: { email: "admin@demo.alfred.test", password: "alfred-admin-demo" },
  manager: { email: "manager@demo.alfred.test", password: "alfred-manager-demo" },
  agent: { email: "agent@demo.alfred.test", password: "alfred-agent-demo" },
};

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/inbox$/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

export const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main" });
