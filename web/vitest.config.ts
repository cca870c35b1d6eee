import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// Unit tests of every app: `<name>.test.ts` beside the code they test.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'api', include: ['api/src/**/*.test.ts'], environment: 'node' } },
      ...['member-h5', 'console'].map((app) => ({
        plugins: [vue()],
        resolve: {
          alias: {
            '@cheyou/api': fileURLToPath(new URL('./api/src/index.ts', import.meta.url)),
            '@': fileURLToPath(new URL(`./${app}/src`, import.meta.url)),
          },
        },
        test: { name: app, include: [`${app}/src/**/*.test.ts`], environment: 'jsdom' },
      })),
    ],
  },
})
