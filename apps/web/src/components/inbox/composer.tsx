"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useImperativeHandle, useRef, useState, type KeyboardEvent, type ReactNode, type Ref } from "react";
import { useTRPC } from "~/trpc/react";
import { LockIcon } from "./icons";

export type ComposerMode = "reply" | "note";
export interface ComposerHandle {
  focus(mode: ComposerMode): void;
}

/** Unsent text per conversation and mode, kept while the agent moves between conversations. */
const drafts = new Map<string, string>();

export function Composer({ conversationId, channelLabel, handle }: { conversationId: string; channelLabel: string; handle: Ref<ComposerHandle> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<ComposerMode>("reply");
  const [body, setBody] = useState(() => drafts.get(`${conversationId}:reply`) ?? "");
  const textarea = useRef<HTMLTextAreaElement>(null);

  const refresh = () => {
    void queryClient.invalidateQueries(trpc.conversations.timeline.infiniteQueryFilter({ id: conversationId }));
    void queryClient.invalidateQueries(trpc.conversations.list.pathFilter());
  };
  const reply = useMutation(trpc.conversations.sendMessage.mutationOptions({ onSuccess: refresh }));
  const note = useMutation(trpc.conversations.addComment.mutationOptions({ onSuccess: refresh }));
  const active = mode === "reply" ? reply : note;
  const sending = reply.isPending || note.isPending;

  const switchMode = (next: ComposerMode) => {
    if (next === mode) return;
    drafts.set(`${conversationId}:${mode}`, body);
    setBody(drafts.get(`${conversationId}:${next}`) ?? "");
    reply.reset();
    note.reset();
    setMode(next);
  };

  useImperativeHandle(handle, () => ({
    focus(next) {
      switchMode(next);
      requestAnimationFrame(() => textarea.current?.focus());
    },
  }));

  const change = (value: string) => {
    setBody(value);
    drafts.set(`${conversationId}:${mode}`, value);
  };

  const submit = async () => {
    const text = body.trim();
    if (!text || sending) return;
    const ok = await active
      .mutateAsync({ id: conversationId, body: text })
      .then(() => true)
      .catch(() => false);
    if (ok) {
      drafts.delete(`${conversationId}:${mode}`);
      setBody("");
    }
    requestAnimationFrame(() => textarea.current?.focus());
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === "Escape") {
      event.currentTarget.blur();
    }
  };

  const isNote = mode === "note";
  return (
    <form
      aria-label="Composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      className={`border-t px-4 py-3 ${isNote ? "border-amber-200 bg-amber-50" : "border-slate-200 bg-white"}`}
    >
      <div role="group" aria-label="Message type" className="mb-2 flex items-center gap-1">
        <ModeButton pressed={!isNote} onClick={() => switchMode("reply")}>
          Reply
        </ModeButton>
        <ModeButton pressed={isNote} onClick={() => switchMode("note")}>
          <LockIcon width={12} height={12} />
          Private note
        </ModeButton>
        <span className="ml-auto text-xs text-slate-500">{isNote ? "Only your team sees private notes" : `Sent to the customer via ${channelLabel}`}</span>
      </div>
      {active.error && (
        <p role="alert" className="mb-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {active.error.message}
        </p>
      )}
      <div className={`flex items-end gap-2 rounded-lg border bg-white p-2 focus-within:border-brand-500 ${isNote ? "border-amber-300" : "border-slate-300"}`}>
        <textarea
          ref={textarea}
          value={body}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
          disabled={sending}
          rows={2}
          aria-label={isNote ? "Private note" : "Reply"}
          placeholder={isNote ? "Write a private note for your team…" : "Type a reply… (Enter to send, Shift+Enter for a new line)"}
          className="max-h-48 min-h-10 flex-1 resize-none bg-transparent px-1 py-1 text-sm outline-none [field-sizing:content] placeholder:text-slate-400 disabled:opacity-60"
        />
        <button
          type="submit"
          disabled={sending || body.trim() === ""}
          className={`rounded-md px-3 py-2 text-sm font-medium text-white shadow-sm disabled:cursor-not-allowed disabled:opacity-50 ${isNote ? "bg-amber-600 hover:bg-amber-700" : "bg-brand-600 hover:bg-brand-700"}`}
        >
          {sending ? "Sending…" : isNote ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}

function ModeButton({ pressed, onClick, children }: { pressed: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={onClick}
      className={`inline-flex items-center gap-1 rounded-md px-2.5 py-1 text-xs font-medium ${pressed ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100"}`}
    >
      {children}
    </button>
  );
}
