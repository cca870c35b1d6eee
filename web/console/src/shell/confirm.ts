/** Ask before anything that cannot be taken back; resolves true only when the person confirms. */
import { ElMessageBox } from 'element-plus'

export async function confirmed(
  t: (key: string) => string,
  message: string,
  options: { confirm?: string; danger?: boolean } = {},
): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, t('common.confirmTitle'), {
      confirmButtonText: options.confirm ?? t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      type: options.danger === false ? 'info' : 'warning',
      confirmButtonClass: options.danger === false ? undefined : 'el-button--danger',
    })
    return true
  } catch {
    return false
  }
}
