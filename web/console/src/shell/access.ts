/** Who may open what: the console's roles and the check the router and the menu share. */
export type Role = 'admin' | 'ops' | 'reviewer' | 'manager' | 'surveyor' | 'merchant'

/** The role the console treats the session as (merchant staff are all `merchant` for the menu). */
export function consoleRole(role: string | undefined): Role | undefined {
  if (!role) return undefined
  return role.startsWith('merchant') ? 'merchant' : (role as Role)
}

export function allowed(roles: readonly Role[] | undefined, role: string | undefined): boolean {
  const mine = consoleRole(role)
  return mine !== undefined && (!roles || roles.includes(mine))
}

/** A path to come back to after signing in: only a path inside the console, never another site. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return undefined
  }
  return next.startsWith('/sign-in') ? undefined : next
}
