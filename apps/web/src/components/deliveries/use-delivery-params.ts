"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { DELIVERY_STATUSES, type DeliveryStatus } from "./format";

/** Everything the dashboard shows is in the URL, so a view can be shared and survives a reload. */
export interface DeliveryParams {
  status: DeliveryStatus | null;
  destination: string | null;
  type: string | null;
  /** A relative window ("1h", "24h", ...) that moves with the clock; overrides since/until. */
  range: string | null;
  /** ISO instants (a custom window). */
  since: string | null;
  until: string | null;
  /** Free text: a delivery id, event id or correlation id. */
  q: string;
  /** The delivery open in the drawer. */
  d: string | null;
}

const validInstant = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? v : null);

export const RANGE_SECONDS: Record<string, number> = { "15m": 15 * 60, "1h": 3600, "24h": 24 * 3600, "7d": 7 * 24 * 3600, "30d": 30 * 24 * 3600 };

export function parseDeliveryParams(search: URLSearchParams): DeliveryParams {
  const status = search.get("status");
  return {
    status: DELIVERY_STATUSES.includes(status as DeliveryStatus) ? (status as DeliveryStatus) : null,
    destination: search.get("destination") || null,
    type: search.get("type") || null,
    range: RANGE_SECONDS[search.get("range") ?? ""] ? search.get("range") : null,
    since: validInstant(search.get("since")),
    until: validInstant(search.get("until")),
    q: search.get("q")?.trim() ?? "",
    d: search.get("d") || null,
  };
}

export function deliveriesHref(params: Partial<DeliveryParams>, pathname = "/deliveries"): string {
  const search = new URLSearchParams();
  for (const key of ["status", "destination", "type", "range", "since", "until", "q", "d"] as const) {
    const value = params[key];
    if (value) search.set(key, value);
  }
  const qs = search.toString();
  return qs ? `${pathname}?${qs}` : pathname;
}

export function useDeliveryParams() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = useMemo(() => parseDeliveryParams(new URLSearchParams(search.toString())), [search]);
  const update = useCallback(
    (patch: Partial<DeliveryParams>, mode: "push" | "replace" = "push") => {
      const href = deliveriesHref({ ...params, ...patch }, pathname);
      if (mode === "replace") router.replace(href, { scroll: false });
      else router.push(href, { scroll: false });
    },
    [params, pathname, router],
  );
  return { params, update };
}

/**
 * The list/count filter the API takes, from the URL params. A relative range is anchored to the
 * minute so the query key (and so the cache) stays put between ticks.
 */
export function apiFilter(params: DeliveryParams, now: number) {
  const rangeSeconds = params.range ? RANGE_SECONDS[params.range] : undefined;
  const minute = Math.floor(now / 60_000) * 60_000;
  return {
    status: params.status ?? undefined,
    destination_id: params.destination ?? undefined,
    event_type: params.type ?? undefined,
    since: rangeSeconds ? new Date(minute - rangeSeconds * 1000) : params.since ? new Date(params.since) : undefined,
    until: rangeSeconds ? undefined : params.until ? new Date(params.until) : undefined,
  };
}
