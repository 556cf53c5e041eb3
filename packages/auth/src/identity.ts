import { AppError, isUniqueViolation } from "@alfred/core";
import { and, asc, eq, isNull, recordAudit, sql, type Database, type DbOrTx } from "@alfred/db";
import { memberships, tenants, users, type Role } from "@alfred/db/schema";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password";

export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
  name: string;
  tenantName: string;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  created_at: string;
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * E-mails are unique across Alfred (one sign-in form for every workspace), so a taken one is a
 * 409, and the same one whether the account is in this workspace or another: it never says whose.
 */
function emailTaken(err: unknown): never {
  if (isUniqueViolation(err, "users_email_lower_key")) throw new AppError("conflict", "an account with this e-mail already exists", { path: "email" });
  throw err;
}

/** Creates a tenant and its first admin in one transaction. A taken e-mail is a 409. */
export async function registerTenant(
  db: Database,
  input: { email: string; password: string; name: string; tenantName: string },
  requester?: string,
): Promise<Principal> {
  const passwordHash = await hashPassword(input.password, requester);
  try {
    return await db.transaction(async (tx) => {
      const [tenant] = await tx.insert(tenants).values({ name: input.tenantName.trim() }).returning();
      const [user] = await tx
        .insert(users)
        .values({ email: normaliseEmail(input.email), name: input.name.trim(), passwordHash })
        .returning();
      await tx.insert(memberships).values({ tenantId: tenant!.id, userId: user!.id, role: "admin" });
      await recordAudit(tx, { tenantId: tenant!.id, actorType: "user", actorId: user!.id, action: "tenant.registered", targetType: "tenant", targetId: tenant!.id });
      return { userId: user!.id, tenantId: tenant!.id, role: "admin" as const, email: user!.email, name: user!.name, tenantName: tenant!.name };
    });
  } catch (err) {
    emailTaken(err);
  }
}

async function principalRow(db: DbOrTx, where: ReturnType<typeof and>) {
  const [row] = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      passwordHash: users.passwordHash,
      tenantId: memberships.tenantId,
      role: memberships.role,
      tenantName: tenants.name,
    })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), isNull(memberships.deactivatedAt)))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(where)
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  return row;
}

/**
 * Checks e-mail + password. Unknown e-mail, wrong password and deactivated user look the same, and
 * cost the same: one argon2 verification each. `requester` (the client address) is the hashing
 * queue's line, so one address's flood waits behind itself.
 */
export async function authenticate(db: Database, email: string, password: string, requester?: string): Promise<Principal | null> {
  const row = await principalRow(db, and(sql`lower(${users.email}) = ${normaliseEmail(email)}`));
  if (!row) {
    await burnPasswordCheck(password, requester);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password, requester))) return null;
  const { passwordHash: _omit, ...principal } = row;
  return principal;
}

/**
 * Re-reads the user and membership on every request, so a deactivation or role change takes effect
 * at once whatever the session or token still says. Null when the user can no longer act there.
 */
export async function loadPrincipal(db: DbOrTx, userId: string, tenantId: string): Promise<Principal | null> {
  const row = await principalRow(db, and(eq(users.id, userId), eq(memberships.tenantId, tenantId)));
  if (!row) return null;
  const { passwordHash: _omit, ...principal } = row;
  return principal;
}

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: memberships.role,
  deactivatedAt: memberships.deactivatedAt,
  createdAt: memberships.createdAt,
};

function toPublicUser(row: { id: string; email: string; name: string; role: Role; deactivatedAt: Date | null; createdAt: Date }): PublicUser {
  return { id: row.id, email: row.email, name: row.name, role: row.role, active: row.deactivatedAt === null, created_at: row.createdAt.toISOString() };
}

export async function listUsers(db: DbOrTx, tenantId: string): Promise<PublicUser[]> {
  const rows = await db
    .select(userColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.name), asc(users.id));
  return rows.map(toPublicUser);
}

export async function getUser(db: DbOrTx, tenantId: string, userId: string): Promise<PublicUser> {
  const [row] = await db
    .select(userColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (!row) throw new AppError("not_found", "user not found");
  return toPublicUser(row);
}

/** An admin adds a user to their tenant with a role and an initial password. */
export async function createUser(
  db: Database,
  tenantId: string,
  input: { email: string; name: string; role: Role; password: string },
): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ email: normaliseEmail(input.email), name: input.name.trim(), passwordHash }).returning();
      const [membership] = await tx.insert(memberships).values({ tenantId, userId: user!.id, role: input.role }).returning();
      return toPublicUser({ ...user!, role: membership!.role, deactivatedAt: null, createdAt: membership!.createdAt });
    });
  } catch (err) {
    emailTaken(err);
  }
}

/** Refuses a change that would leave the tenant without an active admin. */
async function assertAnotherActiveAdmin(tx: DbOrTx, tenantId: string, userId: string): Promise<void> {
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, "admin"), isNull(memberships.deactivatedAt)))
    .for("update");
  if (!admins.some((a) => a.userId !== userId)) {
    throw new AppError("conflict", "a tenant must keep at least one active admin");
  }
}

export async function changeRole(db: Database, tenantId: string, userId: string, role: Role): Promise<PublicUser> {
  await db.transaction(async (tx) => {
    const current = await getUser(tx, tenantId, userId);
    if (current.role === "admin" && role !== "admin" && current.active) await assertAnotherActiveAdmin(tx, tenantId, userId);
    await tx.update(memberships).set({ role }).where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  });
  return getUser(db, tenantId, userId);
}

export async function setUserActive(db: Database, tenantId: string, userId: string, active: boolean): Promise<PublicUser> {
  await db.transaction(async (tx) => {
    const current = await getUser(tx, tenantId, userId);
    if (!active && current.role === "admin" && current.active) await assertAnotherActiveAdmin(tx, tenantId, userId);
    await tx
      .update(memberships)
      .set({ deactivatedAt: active ? null : new Date() })
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  });
  return getUser(db, tenantId, userId);
}
