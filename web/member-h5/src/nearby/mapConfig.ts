/**
 * The map's tiles, set when the H5 is built (Vite's `VITE_*` variables):
 * - `VITE_MAP_TILE_URL`: a Leaflet tile URL template of a Chinese map provider (GCJ-02 tiles, like the
 *   points), e.g. `https://tile{s}.example.cn/{z}/{x}/{y}.png`; the gateway must allow its origin
 *   (`GATEWAY_FRONTEND_IMAGE_ORIGINS`). Unset (dev, tests, offline): no tile is requested and the markers
 *   stand on a plain background.
 * - `VITE_MAP_TILE_SUBDOMAINS` (`{s}`, e.g. `1234`), `VITE_MAP_ATTRIBUTION` (the provider's notice).
 * - `VITE_MAP_NAV_URL`: where "navigate" goes outside WeChat, with `{lat}` `{lng}` `{name}` (GCJ-02);
 *   unset: a `geo:` URI. Inside WeChat it is always `wx.openLocation`.
 */
const env = import.meta.env as Record<string, string | undefined>

export const mapTiles = {
  url: env.VITE_MAP_TILE_URL ?? '',
  subdomains: env.VITE_MAP_TILE_SUBDOMAINS ?? 'abc',
  attribution: env.VITE_MAP_ATTRIBUTION ?? '',
}

export const navigationTemplate = env.VITE_MAP_NAV_URL
