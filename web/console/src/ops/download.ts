/** Save text the API answered (a CSV export) as a file: the API needs the bearer token, so no plain link. */
export function saveText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  // A byte-order mark so that Excel opens the Chinese columns as UTF-8.
  const blob = new Blob(['\ufeff', text], { type })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
