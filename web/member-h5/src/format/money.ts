/** Money in fen, formatted the same in every app (`@cheyou/api`'s format/money.ts). */
export { formatFen, yuanToFen } from '@cheyou/api'
