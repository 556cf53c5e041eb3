import type { SVGProps } from "react";
import { CHANNEL_LABELS } from "./format";
import type { ChannelType } from "./types";

const base = { width: 16, height: 16, viewBox: "0 0 16 16", fill: "none", stroke: "currentColor", strokeWidth: 1.6, strokeLinecap: "round", strokeLinejoin: "round", "aria-hidden": true } as const;

export const LockIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} {...p}>
    <rect x="3" y="7" width="10" height="7" rx="1.5" />
    <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
  </svg>
);

export const ClockIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} {...p}>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M8 5v3l2 1.5" />
  </svg>
);

export const CheckIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} {...p}>
    <path d="M3 8.5 6.5 12 13 4.5" />
  </svg>
);

export const DoubleCheckIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} viewBox="0 0 20 16" width={20} {...p}>
    <path d="M1.5 8.5 5 12l6.5-7.5" />
    <path d="M8.5 11.5 9 12l6.5-7.5" />
  </svg>
);

export const WarningIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} {...p}>
    <path d="M8 2.5 14.5 13.5h-13z" />
    <path d="M8 6.5v3M8 11.5v.01" />
  </svg>
);

export const SearchIcon = (p: SVGProps<SVGSVGElement>) => (
  <svg {...base} {...p}>
    <circle cx="7" cy="7" r="4.5" />
    <path d="m10.5 10.5 3 3" />
  </svg>
);

const CHANNEL_STYLE: Record<ChannelType, { glyph: string; className: string }> = {
  whatsapp: { glyph: "W", className: "bg-emerald-500" },
  messenger: { glyph: "M", className: "bg-blue-500" },
  instagram: { glyph: "IG", className: "bg-gradient-to-br from-amber-400 via-pink-500 to-purple-600" },
  email: { glyph: "@", className: "bg-slate-500" },
  api: { glyph: "{}", className: "bg-violet-500" },
};

/** A small coloured badge per channel type (no external assets); decorative, the label is text. */
export function ChannelBadge({ type, size = "sm" }: { type: ChannelType; size?: "sm" | "md" }) {
  const style = CHANNEL_STYLE[type];
  return (
    <span
      aria-hidden="true"
      title={CHANNEL_LABELS[type]}
      className={`inline-flex shrink-0 items-center justify-center rounded font-bold leading-none text-white ${style.className} ${size === "sm" ? "h-4 min-w-4 px-0.5 text-[9px]" : "h-5 min-w-5 px-1 text-[10px]"}`}
    >
      {style.glyph}
    </span>
  );
}
