import type { TenancyCases } from "./cases";
import { tableSnapshot } from "./cases";

export const usersCases: TenancyCases = {
  domain: "users",
  seed: async (_h, victim) => ({ user: victim.agent.userId }),
  snapshot: (h, victim) => tableSnapshot(h, victim.admin.tenantId, ["memberships"]),
  procedures: [
    { name: "users.get", call: (c, v) => c.users.get({ id: v.user! }) },
    { name: "users.changeRole", call: (c, v) => c.users.changeRole({ id: v.user!, role: "admin" }) },
    { name: "users.deactivate", call: (c, v) => c.users.deactivate({ id: v.user! }) },
    { name: "users.reactivate", call: (c, v) => c.users.reactivate({ id: v.user! }) },
  ],
  routes: [
    { name: "GET /users/{id}", method: "GET", path: (v) => `/users/${v.user}` },
    { name: "PATCH /users/{id}/role", method: "PATCH", path: (v) => `/users/${v.user}/role`, body: () => ({ role: "admin" }) },
    { name: "POST /users/{id}/deactivate", method: "POST", path: (v) => `/users/${v.user}/deactivate` },
    { name: "POST /users/{id}/reactivate", method: "POST", path: (v) => `/users/${v.user}/reactivate` },
  ],
};
