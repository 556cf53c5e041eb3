"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { CONVERSATION_STATUSES, INBOX_VIEWS, type ConversationStatus, type InboxView } from "./types";

export interface InboxParams {
  view: InboxView;
  status: ConversationStatus;
  channel: string | null;
  q: string;
  /** The open conversation. */
  c: string | null;
}

export const DEFAULT_PARAMS: InboxParams = { view: "all", status: "open", channel: null, q: "", c: null };

const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);

export function parseInboxParams(search: URLSearchParams): InboxParams {
  return {
    view: pick(search.get("view"), INBOX_VIEWS, DEFAULT_PARAMS.view),
    status: pick(search.get("status"), CONVERSATION_STATUSES, DEFAULT_PARAMS.status),
    channel: search.get("channel") || null,
    q: search.get("q") ?? "",
    c: search.get("c") || null,
  };
}

export function inboxHref(params: InboxParams): string {
  const search = new URLSearchParams();
  search.set("view", params.view);
  search.set("status", params.status);
  if (params.channel) search.set("channel", params.channel);
  if (params.q) search.set("q", params.q);
  if (params.c) search.set("c", params.c);
  return `/inbox?${search.toString()}`;
}

/**
 * Filters and the open conversation live in the URL so a view can be shared. Updates use the
 * History API (which Next.js syncs into useSearchParams) rather than a router navigation: no
 * server round trip when an agent flicks through conversations with j/k.
 */
export function useInboxParams(): [InboxParams, (patch: Partial<InboxParams>) => void] {
  const search = useSearchParams();
  const params = useMemo(() => parseInboxParams(new URLSearchParams(search.toString())), [search]);
  const update = useCallback((patch: Partial<InboxParams>) => {
    const current = parseInboxParams(new URLSearchParams(window.location.search));
    window.history.replaceState(null, "", inboxHref({ ...current, ...patch }));
  }, []);
  return [params, update];
}
