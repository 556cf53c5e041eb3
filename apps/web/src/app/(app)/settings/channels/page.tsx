import { CHANNEL_DEFINITIONS } from "@alfred/crm";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { ChannelsAdmin, type ChannelSpec } from "./channels-admin";

export const metadata: Metadata = { title: "Channels" };

/** Field lists come from the channel definitions the API validates against, so the form cannot drift. */
function channelSpecs(): ChannelSpec[] {
  return (Object.keys(CHANNEL_DEFINITIONS) as (keyof typeof CHANNEL_DEFINITIONS)[]).map((type) => {
    const definition = CHANNEL_DEFINITIONS[type];
    return {
      type,
      accountField: definition.accountField,
      settings: Object.entries(definition.config.shape).map(([name, schema]) => ({ name, optional: schema.safeParse(undefined).success })),
      secrets: [...definition.secrets],
    };
  });
}

export default async function ChannelsPage() {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? (/^(localhost|127\.|\[::1\])/.test(host) ? "http" : "https");
  return <ChannelsAdmin specs={channelSpecs()} origin={`${proto}://${host}`} />;
}
