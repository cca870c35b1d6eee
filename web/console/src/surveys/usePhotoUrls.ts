/** Object URLs for a claim's photos, fetched with the session (revoked when the page goes away). */
import { onUnmounted, reactive } from 'vue'
import { useSurveys } from './useSurveys'

export function usePhotoUrls(claimId: () => string) {
  const surveys = useSurveys()
  const urls = reactive<Record<string, string>>({})
  const failed = reactive<Record<string, boolean>>({})

  async function load(photoIds: string[]): Promise<void> {
    await Promise.all(
      photoIds
        .filter((id) => !urls[id])
        .map(async (id) => {
          try {
            urls[id] = URL.createObjectURL(await surveys.photo(claimId(), id))
          } catch {
            failed[id] = true
          }
        }),
    )
  }

  onUnmounted(() => Object.values(urls).forEach((url) => URL.revokeObjectURL(url)))
  return { urls, failed, load }
}
