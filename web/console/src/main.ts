import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import './shell/base.css'

createApp(App).use(createPinia()).use(ElementPlus, { locale: zhCn }).use(i18n).use(router).mount('#app')
