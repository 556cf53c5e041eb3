import { webhookRoute } from "~/server/webhook-routes";

// Written out per route: Next.js reads `dynamic` from the route file itself, not from a re-export.
export const dynamic = "force-dynamic";

const route = webhookRoute("api");
export const GET = route.GET;
export const POST = route.POST;
