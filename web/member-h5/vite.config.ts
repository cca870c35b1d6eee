import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// Served by the gateway at /h5/ (same origin as the API). `npm run dev:h5` proxies /api to a running gateway.
export default defineConfig({
  base: '/h5/',
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: {
      '@cheyou/api': fileURLToPath(new URL('../api/src/index.ts', import.meta.url)),
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': process.env.CHEYOU_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
  },
  build: { target: 'es2020', sourcemap: true, chunkSizeWarningLimit: 600 },
})
