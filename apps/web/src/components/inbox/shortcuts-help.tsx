"use client";

import { useEffect, useRef } from "react";

export const SHORTCUTS: { keys: string[]; description: string }[] = [
  { keys: ["j", "Alt+↓"], description: "Next conversation" },
  { keys: ["k", "Alt+↑"], description: "Previous conversation" },
  { keys: ["e"], description: "Resolve the open conversation" },
  { keys: ["r"], description: "Reply to the customer" },
  { keys: ["n"], description: "Write a private note" },
  { keys: ["Enter"], description: "Send (in the composer)" },
  { keys: ["Shift+Enter"], description: "New line (in the composer)" },
  { keys: ["Esc"], description: "Leave the composer / close this help" },
  { keys: ["?"], description: "Show this help" },
];

/** The `?` overlay, a native modal dialog (focus trap, Esc and backdrop come with it). */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="shortcuts-title"
      onClose={onClose}
      onClick={(e) => e.target === e.currentTarget && onClose()}
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="p-5">
        <div className="mb-3 flex items-center">
          <h2 id="shortcuts-title" className="text-base font-semibold">
            Keyboard shortcuts
          </h2>
          <button type="button" onClick={onClose} className="ml-auto rounded-md px-2 py-1 text-sm text-slate-500 hover:bg-slate-100" aria-label="Close">
            Esc
          </button>
        </div>
        <table className="w-full text-sm">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.description} className="border-t border-slate-100">
                <td className="py-2 pr-4 text-slate-700">{s.description}</td>
                <td className="py-2 text-right whitespace-nowrap">
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span className="px-1 text-xs text-slate-400">or</span>}
                      <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs text-slate-700 shadow-[0_1px_0_rgb(203,213,225)]">{k}</kbd>
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-3 text-xs text-slate-500">Shortcuts are off while you type in a field.</p>
      </div>
    </dialog>
  );
}
