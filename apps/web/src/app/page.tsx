import { redirect } from "next/navigation";
import { currentPrincipal } from "~/server/auth";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentPrincipal()) ? "/inbox" : "/login");
}
