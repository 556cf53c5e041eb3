import type { ChannelType, ConversationStatus } from "./types";

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  whatsapp: "WhatsApp",
  messenger: "Messenger",
  instagram: "Instagram",
  email: "E-mail",
  api: "API",
};

export const STATUS_LABELS: Record<ConversationStatus, string> = {
  open: "Open",
  pending: "Pending",
  snoozed: "Snoozed",
  resolved: "Resolved",
};

export const contactName = (name: string | null | undefined) => name?.trim() || "Unknown contact";

export function initials(name: string | null | undefined): string {
  const words = contactName(name).split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? "?") + (words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "")).toUpperCase();
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Compact list times, Chatwoot-style: "now", "5m", "3h", "2d", then the date. */
export function relativeTime(iso: string, now: number): string {
  const at = new Date(iso).getTime();
  const diff = Math.max(0, now - at);
  if (diff < 45_000) return "now";
  if (diff < HOUR) return `${Math.max(1, Math.round(diff / MINUTE))}m`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)}h`;
  if (diff < 7 * DAY) return `${Math.floor(diff / DAY)}d`;
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export const clockTime = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export const fullTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

export function dayLabel(iso: string, now: number): string {
  const day = new Date(iso);
  const today = new Date(now);
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(today) - startOf(day)) / DAY);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return day.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: day.getFullYear() === today.getFullYear() ? undefined : "numeric" });
}

/** A list preview for a message: its text, or what kind of message it is when it has no text. */
export function messagePreview(message: { body: string | null; type: string } | null): string {
  if (!message) return "No messages yet";
  if (message.type !== "text") return message.body ? `[${message.type}] ${message.body}` : `[${message.type} message]`;
  return message.body ?? "";
}

/** `datetime-local` input value (local time, minutes) for a date. */
export function toLocalInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
