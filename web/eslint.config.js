// ESLint flat config for every app of the workspace: Vue's recommended rules and typescript-eslint's,
// with Prettier owning the layout.
import skipFormatting from '@vue/eslint-config-prettier/skip-formatting'
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'
import pluginVue from 'eslint-plugin-vue'

export default defineConfigWithVueTs(
  { ignores: ['**/dist/**', '**/node_modules/**', 'api/src/schema.d.ts', '**/coverage/**'] },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  skipFormatting,
  {
    rules: {
      'vue/multi-word-component-names': 'off',
    },
  },
)
