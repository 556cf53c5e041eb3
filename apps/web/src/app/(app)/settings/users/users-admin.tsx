"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert, Button, EmptyState, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const ROLES = ["agent", "manager", "admin"] as const;
type Role = (typeof ROLES)[number];

export function UsersAdmin({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: invalidate }));
  const changeRole = useMutation(trpc.users.changeRole.mutationOptions({ onSuccess: invalidate }));
  const deactivate = useMutation(trpc.users.deactivate.mutationOptions({ onSuccess: invalidate }));
  const reactivate = useMutation(trpc.users.reactivate.mutationOptions({ onSuccess: invalidate }));
  const [notice, setNotice] = useState("");
  const rowError = changeRole.error ?? deactivate.error ?? reactivate.error;

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setNotice("");
    const user = await create
      .mutateAsync({
        name: String(form.get("name")),
        email: String(form.get("email")),
        role: String(form.get("role")) as Role,
        password: String(form.get("password")),
      })
      .catch(() => null);
    if (user) {
      formElement.reset();
      setNotice(`${user.name} can now sign in as ${user.role}.`);
    }
  }

  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-base font-semibold">Users</h2>
        <p className="text-sm text-slate-500">Agents answer conversations; managers also see deliveries and reports; admins manage settings.</p>
      </div>

      {rowError && <Alert>{rowError.message}</Alert>}
      {users.isPending && <p className="text-sm text-slate-500" role="status">Loading users…</p>}
      {users.isError && <Alert>Could not load users: {users.error.message}</Alert>}
      {users.data && users.data.items.length === 0 && <EmptyState title="No users yet" />}
      {users.data && users.data.items.length > 0 && (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">E-mail</th>
              <th className="px-3 py-2">Role</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2 text-right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((user) => (
              <tr key={user.id} className="border-t border-slate-100" data-testid={`user-row-${user.email}`}>
                <td className="px-3 py-2 font-medium">{user.name}</td>
                <td className="px-3 py-2 text-slate-600">{user.email}</td>
                <td className="px-3 py-2">
                  <Select
                    aria-label={`Role of ${user.name}`}
                    value={user.role}
                    disabled={user.id === currentUserId || changeRole.isPending}
                    onChange={(e) => changeRole.mutate({ id: user.id, role: e.target.value as Role })}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </Select>
                </td>
                <td className="px-3 py-2">
                  <span className={`rounded-full px-2 py-0.5 text-xs ${user.active ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-500"}`}>
                    {user.active ? "active" : "deactivated"}
                  </span>
                </td>
                <td className="px-3 py-2 text-right">
                  {user.id !== currentUserId &&
                    (user.active ? (
                      <Button variant="danger" onClick={() => deactivate.mutate({ id: user.id })} disabled={deactivate.isPending}>
                        Deactivate
                      </Button>
                    ) : (
                      <Button variant="secondary" onClick={() => reactivate.mutate({ id: user.id })} disabled={reactivate.isPending}>
                        Reactivate
                      </Button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form onSubmit={onCreate} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" aria-label="Add a user">
        <h3 className="font-semibold">Add a user</h3>
        {create.error && <Alert>{create.error.message}</Alert>}
        {notice && <Alert tone="success">{notice}</Alert>}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label="Name">
            <Input name="name" required maxLength={120} />
          </Field>
          <Field label="E-mail">
            <Input name="email" type="email" required />
          </Field>
          <Field label="Role">
            <Select name="role" defaultValue="agent" className="w-full py-2">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Initial password" hint="At least 8 characters; share it with them securely.">
            <Input name="password" type="password" required minLength={8} autoComplete="new-password" />
          </Field>
        </div>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add user"}
        </Button>
      </form>
    </div>
  );
}
