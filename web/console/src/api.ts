/** The console's API client and session (staff and merchant staff alike): one of each for the whole app. */
import { createApi, TokenStore } from '@cheyou/api'

export const tokens = new TokenStore('cheyou.console.session')
export const api = createApi(tokens)
