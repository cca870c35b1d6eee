/**
 * Gender and birth year, in words: staff who are not the member's manager see these instead of the ID
 * number's last digits (never both together).
 */
export function profileOf(
  member: { gender?: string | null; birth_year?: number | null },
  t: (key: string, values?: Record<string, unknown>) => string,
): string {
  const parts = [
    member.gender ? t(`ops.genders.${member.gender}`) : null,
    member.birth_year ? t('members.bornIn', { year: member.birth_year }) : null,
  ].filter(Boolean)
  return parts.length ? parts.join(' · ') : '—'
}
