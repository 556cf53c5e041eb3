import { authenticate, issueTokenPair, type TokenPair } from "@alfred/auth";
import { AppError } from "@alfred/core";
import type { z } from "zod";
import type { Context } from "../../context";
import type { loginInput } from "./login.schema";

/** Same throttle as browser sign-in: 10 failures per e-mail in 15 minutes, then 429. */
export async function loginHandler({ ctx, input }: { ctx: Context; input: z.infer<typeof loginInput> }): Promise<TokenPair> {
  await ctx.throttle.assertAllowed(input.email);
  const principal = await authenticate(ctx.db, input.email, input.password);
  if (!principal) {
    await ctx.throttle.recordFailure(input.email);
    throw new AppError("unauthorized", "wrong e-mail or password");
  }
  await ctx.throttle.reset(input.email);
  return issueTokenPair(principal, ctx.jwtSecret);
}
