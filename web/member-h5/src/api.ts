/** The member's API client and session: one of each for the whole app. */
import { createApi, TokenStore } from '@cheyou/api'

export const tokens = new TokenStore('cheyou.member.session')
export const api = createApi(tokens)
