// The cheapest POST a Next.js route handler can answer: read the body, answer JSON.
export const dynamic = "force-dynamic";

export async function POST(request) {
  await request.arrayBuffer();
  return Response.json({ ok: true });
}
