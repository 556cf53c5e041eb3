import { createTRPCRouter, publicProcedure } from "../../trpc";
import { loginHandler } from "./login.handler";
import { loginInput, refreshInput } from "./login.schema";
import { refreshHandler } from "./refresh.handler";
import { registerHandler } from "./register.handler";
import { registerInput, registerOutput, tokenPairOutput } from "./register.schema";

export const authRouter = createTRPCRouter({
  register: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/register", tags: ["auth"], summary: "Create a tenant and its first admin", errorResponses: [409, 429, 503] }, rest: { status: 201 } })
    .input(registerInput)
    .output(registerOutput)
    .mutation(registerHandler),
  login: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/login", tags: ["auth"], summary: "Exchange e-mail and password for tokens", errorResponses: [429, 503] } })
    .input(loginInput)
    .output(tokenPairOutput)
    .mutation(loginHandler),
  refresh: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/refresh", tags: ["auth"], summary: "Exchange a refresh token for a new pair" } })
    .input(refreshInput)
    .output(tokenPairOutput)
    .mutation(refreshHandler),
});
