/** A destructive or far-reaching action asks first: `if (!(await confirm(t('…')))) return`. */
import { ElMessageBox } from 'element-plus'
import { useI18n } from 'vue-i18n'

export function useConfirm() {
  const { t } = useI18n()
  return async (message: string, options: { danger?: boolean; confirm?: string } = {}): Promise<boolean> => {
    const danger = options.danger ?? true
    try {
      await ElMessageBox.confirm(message, t('common.confirmTitle'), {
        confirmButtonText: options.confirm ?? t('common.confirm'),
        cancelButtonText: t('common.cancel'),
        type: danger ? 'warning' : 'info',
        confirmButtonClass: danger ? 'el-button--danger' : '',
      })
      return true
    } catch {
      return false
    }
  }
}
