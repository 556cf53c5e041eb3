import type { AppRouter } from "@alfred/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type DeliveryRow = RouterOutputs["automation"]["deliveries"]["list"]["items"][number];
export type DeliveryDetail = RouterOutputs["automation"]["deliveries"]["get"];
export type Attempt = DeliveryDetail["attempt_log"][number];
export type CallbackItem = RouterOutputs["callbacks"]["list"]["items"][number];
