"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import type { ConversationItem } from "./types";

/** Status and assignment changes of a conversation; the result is written straight into the cache. */
export function useConversationUpdate() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.conversations.update.mutationOptions({
      onSuccess: (updated: ConversationItem) => {
        queryClient.setQueryData(trpc.conversations.get.queryKey({ id: updated.id }), updated);
        void queryClient.invalidateQueries(trpc.conversations.list.pathFilter());
        void queryClient.invalidateQueries(trpc.contacts.conversations.pathFilter());
      },
    }),
  );
}
